// PlanBuilder::LowerSmallOcConv: small_oc_conv.h's kernel on its input as the
// producer left it (bf16 or f32, NHWC or nChw16c; else a plain f32 copy), then
// the activations in place.
#include <vector>

#include "engine/onednn/plan_builder.h"
#include "engine/onednn/small_oc_conv.h"
#include "engine/ops/conv2d.h"

namespace ganserve {
namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

// The kernel's view of `md` ({n, c, h, w} of an h x w x c value) when it is
// NHWC or nChw16c in f32 or bf16; false otherwise.
bool ReadableInput(const dnnl::memory::desc& md, SmallOcInput& l) {
  const dnnl::memory::dims d = md.dims();
  if (d.size() != 4) return false;
  const int64_t c = d[1], h = d[2], w = d[3];
  for (const dt type : {dt::f32, dt::bf16}) {
    if (md == dnnl::memory::desc(d, type, tag::nhwc)) {
      l = SmallOcInput::Nhwc(h, w, c, type == dt::bf16);
      return true;
    }
    if (md == dnnl::memory::desc(d, type, tag::nChw16c)) {
      l = SmallOcInput::Nhwc(h, w, kSmallOcConvBlock, type == dt::bf16);
      l.batch = c * h * w;
      l.block.clear();
      for (int64_t k = 0; k < c; k += kSmallOcConvBlock) l.block.push_back(k * h * w);
      return true;
    }
  }
  return false;
}

}  // namespace

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
  const int producer = Resolve(node.inputs[0]);
  SmallOcInput layout;
  dnnl::memory from;
  if (ReadableInput(values_[producer].mem.get_desc(), layout)) {
    from = values_[producer].mem;
  } else {
    from = EnsurePlain(producer).plain_mem;
    layout = SmallOcInput::Nhwc(in_dims[0], in_dims[1], in_dims[2], /*bf16=*/false);
  }
  const dnnl::memory to = NewPlainValue(i, out_dims).plain_mem;
  const LoweredNode* weights = &ln;  // the executor's lowering outlives its plans
  AddHost({from, to}, [shape, layout, from, to, weights]() {
    SmallOcConv(shape, layout, from.get_data_handle(), weights->weights.data(),
                weights->bias.data(), static_cast<float*>(to.get_data_handle()));
    return absl::OkStatus();
  });
  AddActivationsInPlace(to, ln.activations);
}

}  // namespace ganserve
