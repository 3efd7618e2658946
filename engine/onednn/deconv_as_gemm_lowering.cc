// PlanBuilder::LowerDeconvAsGemm: the product of deconv_as_gemm.h as an
// f32 inner product over the input's plain NHWC pixels, then Col2Im and any
// activations on the host.
#include "engine/onednn/deconv_as_gemm.h"
#include "engine/onednn/plan_builder.h"
#include "engine/ops/conv2d_transpose.h"

namespace ganserve {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

void PlanBuilder::LowerDeconvAsGemm(int i) {
  const Node& node = graph_.node(i);
  const LoweredNode& ln = lowered_[i];
  const auto& op = static_cast<const Conv2DTransposeOp&>(*node.op);
  const Dims& in_dims = graph_.node(node.inputs[0]).output_dims;
  const Dims& out_dims = node.output_dims;
  const Dims& k = op.kernel().shape;  // [kh, kw, out, in]
  const ConvAttributes& a = op.attrs();
  const int64_t pixels = batch_ * in_dims[0] * in_dims[1];
  const int64_t columns = ln.weight_dims[0], ic = ln.weight_dims[1];
  const dnnl::memory x = EnsurePlain(Resolve(node.inputs[0])).plain_mem;
  const dnnl::memory::desc src({pixels, ic}, dt::f32, tag::nc);
  const dnnl::memory::desc wei(ln.weight_dims, dt::f32, tag::any);
  const dnnl::memory::desc dst({pixels, columns}, dt::f32, tag::nc);
  dnnl::inner_product_forward::desc desc(dnnl::prop_kind::forward_inference, src, wei, dst);
  dnnl::inner_product_forward::primitive_desc pd(desc, Attr(nullptr), engine_);
  const dnnl::memory cols = ArenaMemory(dst);
  AddPrimitive(dnnl::inner_product_forward(pd),
               {{DNNL_ARG_SRC, View(x, src)},
                {DNNL_ARG_WEIGHTS, PrepareWeights(ln, pd.weights_desc())},
                {DNNL_ARG_DST, cols}},
               pd.scratchpad_desc());
  const dnnl::memory to = NewPlainValue(i, out_dims).plain_mem;
  const Col2ImShape shape{.batch = batch_,
                          .in_h = in_dims[0],
                          .in_w = in_dims[1],
                          .kh = k[0],
                          .kw = k[1],
                          .oc = k[2],
                          .stride_h = a.stride_h,
                          .stride_w = a.stride_w,
                          .pad_top = a.TransposedRows(in_dims[0], k[0]).pad_begin,
                          .pad_left = a.TransposedCols(in_dims[1], k[1]).pad_begin,
                          .out_h = out_dims[0],
                          .out_w = out_dims[1]};
  const std::vector<float>* bias = &ln.bias;  // the executor's lowering outlives its plans
  AddHost({cols, to}, [shape, cols, to, bias]() {
    Col2Im(shape, static_cast<const float*>(cols.get_data_handle()), bias->data(),
           static_cast<float*>(to.get_data_handle()));
    return absl::OkStatus();
  });
  bool linear = true;
  for (const Activation& act : ln.activations) linear = linear && act.IsLinear();
  if (!linear) AddActivationLoop(to, ln.activations);
}

}  // namespace ganserve
