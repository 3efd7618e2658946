// PlanBuilder::LowerSmallOcConv: small_oc_conv.h's kernel on the input's
// plain NHWC f32 value, then the activations in place.
#include <vector>

#include "engine/onednn/plan_builder.h"
#include "engine/onednn/small_oc_conv.h"
#include "engine/ops/conv2d.h"

namespace ganserve {

void PlanBuilder::LowerSmallOcConv(int i) {
  const Node& node = graph_.node(i);
  const LoweredNode& ln = lowered_[i];
  const auto& op = static_cast<const Conv2DOp&>(*node.op);
  const Dims& in_dims = graph_.node(node.inputs[0]).output_dims;
  const Dims& out_dims = node.output_dims;
  const Dims& k = op.kernel().shape;  // [kh, kw, in, out]
  const ConvAttributes& a = op.attrs();
  const SmallOcConvShape shape{.batch = batch_,
                               .in_h = in_dims[0],
                               .in_w = in_dims[1],
                               .ic = k[2],
                               .oc = k[3],
                               .kh = k[0],
                               .kw = k[1],
                               .pad_top = a.ConvRows(in_dims[0], k[0]).pad_begin,
                               .pad_left = a.ConvCols(in_dims[1], k[1]).pad_begin,
                               .out_h = out_dims[0],
                               .out_w = out_dims[1]};
  const dnnl::memory from = EnsurePlain(Resolve(node.inputs[0])).plain_mem;
  const dnnl::memory to = NewPlainValue(i, out_dims).plain_mem;
  const LoweredNode* weights = &ln;  // the executor's lowering outlives its plans
  AddHost({from, to}, [shape, from, to, weights, zeros = std::vector<float>(shape.ic, 0.0f)]() {
    SmallOcConv(shape, static_cast<const float*>(from.get_data_handle()), weights->weights.data(),
                weights->bias.data(), zeros.data(), static_cast<float*>(to.get_data_handle()));
    return absl::OkStatus();
  });
  AddActivationsInPlace(to, ln.activations);
}

}  // namespace ganserve
