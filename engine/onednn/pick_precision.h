// PlanBuilder::PickPrecision's definition, for the lowering files that build
// weighted primitives.
#ifndef GANSERVE_ENGINE_ONEDNN_PICK_PRECISION_H_
#define GANSERVE_ENGINE_ONEDNN_PICK_PRECISION_H_

#include <string>

#include "engine/onednn/plan_builder.h"

namespace ganserve {

template <typename PrimitiveDesc, typename MakeDesc>
PrimitiveDesc PlanBuilder::NativeBf16(int i, const dnnl::primitive_attr& attr,
                                      MakeDesc make) const {
  if (!bf16_ || i == output_layer_) return PrimitiveDesc();
  PrimitiveDesc pd(make(dnnl::memory::data_type::bf16), attr, engine_, /*allow_empty=*/true);
  // oneDNN's reference kernels are far slower in bf16 than f32 is.
  if (pd && std::string(pd.impl_info_str()).find("ref") == std::string::npos) return pd;
  return PrimitiveDesc();
}

template <typename PrimitiveDesc, typename MakeDesc>
PrimitiveDesc PlanBuilder::PickPrecision(int i, const dnnl::primitive_attr& attr,
                                         MakeDesc make) const {
  if (PrimitiveDesc pd = NativeBf16<PrimitiveDesc>(i, attr, make)) return pd;
  return PrimitiveDesc(make(dnnl::memory::data_type::f32), attr, engine_);
}

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_PICK_PRECISION_H_
