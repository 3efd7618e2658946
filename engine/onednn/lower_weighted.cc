// Conv2D, Conv2DTranspose and Dense: weights in oneDNN's logical order, a
// following BatchNorm folded into them and following activations fused.
#include "engine/onednn/deconv_as_conv.h"
#include "engine/onednn/deconv_as_flipped_conv.h"
#include "engine/onednn/deconv_as_gemm.h"
#include "engine/onednn/lowering_rules.h"
#include "engine/onednn/small_oc_conv.h"
#include "engine/onednn/upsample_conv.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/batch_norm.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/dense.h"
#include "engine/ops/upsampling2d.h"

namespace ganserve {
namespace {

// The single consumer of `node` if it has exactly one (and is not the output).
int SoleConsumer(const std::vector<std::vector<int>>& consumers, int node) {
  return consumers[node].size() == 1 ? consumers[node][0] : -1;
}

std::vector<float> BiasOrZeros(const std::optional<Tensor>& bias, int64_t channels) {
  return bias ? bias->data : std::vector<float>(channels, 0.0f);
}

// Fills weights/bias/activations of a conv, deconv or dense node and absorbs
// what follows it. `out_stride` is the distance between consecutive output
// channels' weights in the Keras kernel; `out_period` the number of output
// channels (weight index -> channel = index / out_stride % out_period).
void LowerCompute(const LoweringStep& step, const Tensor& kernel, int64_t out_stride,
                  int64_t out_period, const Activation& activation) {
  const Graph& graph = step.graph;
  const int head = step.node;
  LoweredNode& ln = step.target();
  ln.weights = kernel.data;
  ln.activations = {activation};
  int tail = head;
  int next = SoleConsumer(step.consumers, tail);
  const BatchNormOp* bn = next >= 0 && graph.node(next).op->Type() == BatchNormOp::kType
                              ? static_cast<const BatchNormOp*>(graph.node(next).op.get())
                              : nullptr;
  if (bn && activation.IsLinear() && bn->IsChannelsLast(graph.node(head).output_dims.size())) {
    std::vector<float> scale, shift;
    bn->ScaleAndShift(scale, shift);
    for (size_t i = 0; i < ln.weights.size(); ++i) {
      ln.weights[i] *= scale[(i / out_stride) % out_period];
    }
    for (int64_t c = 0; c < out_period; ++c) ln.bias[c] = ln.bias[c] * scale[c] + shift[c];
    step.lowered[next] = AliasOf(head);
    tail = next;
    next = SoleConsumer(step.consumers, tail);
  }
  while (next >= 0) {
    const Op& op = *graph.node(next).op;
    if (op.Type() != ActivationOp::kType) break;
    ln.activations.push_back(*op.OutputActivation());
    step.lowered[next] = AliasOf(head);
    tail = next;
    next = SoleConsumer(step.consumers, tail);
  }
}

// A transposed conv of a 1x1 input that keeps its whole kh x kw footprint
// (PyTorch DCGAN's first layer: nz -> 4x4, stride 1, no padding) is a matrix
// product, since tap (y, x) lands on output pixel (y, x); oneDNN 2.6's
// deconvolution kernel is slow on it (BENCHMARKS.md, "Run 7").
bool IsDenseInDisguise(const Dims& in, const Dims& k, const ConvAttributes& a, const Dims& out) {
  return in.size() == 3 && in[0] == 1 && in[1] == 1 && a.dilation_h == 1 && a.dilation_w == 1 &&
         a.TransposedRows(1, k[0]).pad_begin == 0 && a.TransposedCols(1, k[1]).pad_begin == 0 &&
         out == Dims{k[0], k[1], k[2]};
}

// The Keras kernel [kh, kw, out, in] (BatchNorm already folded) read as the
// row-major [kh*kw*out, in] Dense matrix, whose outputs come in the NHWC
// order of the deconvolution's result; the bias repeats per pixel.
void RewriteAsDense(const Dims& k, LoweredNode& ln) {
  ln.kind = LoweredKind::kDense;
  ln.weight_dims = {k[0] * k[1] * k[2], k[3]};
  ln.weight_strides = {k[3], 1};
  std::vector<float> bias(k[0] * k[1] * k[2]);
  for (size_t j = 0; j < bias.size(); ++j) bias[j] = ln.bias[j % k[2]];
  ln.bias = std::move(bias);
}

// A nearest UpSampling2D read only by this conv is folded into it: the conv
// runs on the low-resolution input (upsample_conv.h), the upsampling node
// becomes an alias of its input and never writes its tensor.
void FoldUpsamplingBefore(const LoweringStep& step, const Conv2DOp& conv, const AxisGeometry& r,
                          const AxisGeometry& c) {
  const int up_node = step.graph_node().inputs[0];
  const Node& up = step.graph.node(up_node);
  if (up.op->Type() != UpSampling2DOp::kType || SoleConsumer(step.consumers, up_node) != step.node)
    return;
  const auto& up_op = static_cast<const UpSampling2DOp&>(*up.op);
  const Dims& k = conv.kernel().shape;
  if (!UpsampleConvApplies(up_op, conv.attrs(), k[0], k[1])) return;
  const Dims& low = step.graph.node(up.inputs[0]).output_dims;
  LoweredNode& ln = step.target();
  ln.kind = LoweredKind::kUpsampleConv;
  RewriteAsUpsampleConv(k, UpsampleConvAxis(low[0], k[0], up_op.size_h(), r),
                        UpsampleConvAxis(low[1], k[1], up_op.size_w(), c), ln);
  step.lowered[up_node] = AliasOf(up.inputs[0]);
}

}  // namespace

void LowerConv2D(const LoweringStep& step) {
  const auto& conv = step.op<Conv2DOp>();
  const Dims& k = conv.kernel().shape;  // [kh, kw, in, out]
  const AxisGeometry r = conv.attrs().ConvRows(step.in[0], k[0]);
  const AxisGeometry c = conv.attrs().ConvCols(step.in[1], k[1]);
  if (r.pad_begin < 0 || r.pad_end < 0 || c.pad_begin < 0 || c.pad_end < 0) return;
  LoweredNode& ln = step.target();
  ln.kind = LoweredKind::kConv;
  ln.weight_dims = {k[3], k[2], k[0], k[1]};
  ln.weight_strides = {1, k[3], k[1] * k[2] * k[3], k[2] * k[3]};
  ln.bias = BiasOrZeros(conv.bias(), k[3]);
  LowerCompute(step, conv.kernel(), 1, k[3], conv.activation());
  FoldUpsamplingBefore(step, conv, r, c);
  if (ln.kind == LoweredKind::kConv && SmallOcConvApplies(conv.attrs(), k)) {
    ln.kind = LoweredKind::kSmallOcConv;
    ln.weights = SmallOcConvWeights(k, ln.weights);
  }
}

void LowerConv2DTranspose(const LoweringStep& step) {
  const auto& deconv = step.op<Conv2DTransposeOp>();
  const Dims& k = deconv.kernel().shape;  // [kh, kw, out, in]
  const AxisGeometry r = deconv.attrs().TransposedRows(step.in[0], k[0]);
  const AxisGeometry c = deconv.attrs().TransposedCols(step.in[1], k[1]);
  if (r.pad_begin < 0 || c.pad_begin < 0) return;
  LoweredNode& ln = step.target();
  ln.kind = LoweredKind::kDeconv;
  ln.weight_dims = {k[2], k[3], k[0], k[1]};
  ln.weight_strides = {k[3], 1, k[1] * k[2] * k[3], k[2] * k[3]};
  ln.bias = BiasOrZeros(deconv.bias(), k[2]);
  LowerCompute(step, deconv.kernel(), k[3], k[2], deconv.activation());
  if (IsDenseInDisguise(step.in, k, deconv.attrs(), step.graph_node().output_dims)) {
    RewriteAsDense(k, ln);
  } else if (GemmCol2ImPays(deconv.attrs(), step.in[0], step.in[1], k[0], k[1], k[2])) {
    // The Keras kernel read as the row-major [kh*kw*out, in] matrix of the product.
    ln.kind = LoweredKind::kDeconvAsGemm;
    ln.weight_dims = {k[0] * k[1] * k[2], k[3]};
    ln.weight_strides = {k[3], 1};
  } else if (DeconvAsConvApplies(deconv.attrs(), k[0], k[1])) {
    ln.kind = LoweredKind::kDeconvAsConv;
    RewriteAsPhaseConv(k, deconv.attrs().stride_h, deconv.attrs().stride_w, ln);
  } else if (FlippedConvApplies(deconv.attrs(), step.in[0], step.in[1], k[0], k[1])) {
    RewriteAsFlippedConv(k, ln);
  }
}

void LowerDense(const LoweringStep& step) {
  const auto& dense = step.op<DenseOp>();
  const Dims& k = dense.kernel().shape;  // [in, out]
  LoweredNode& ln = step.target();
  ln.kind = LoweredKind::kDense;
  ln.weight_dims = {k[1], k[0]};
  ln.weight_strides = {1, k[1]};
  ln.bias = BiasOrZeros(dense.bias(), k[1]);
  LowerCompute(step, dense.kernel(), 1, k[1], dense.activation());
}

}  // namespace ganserve
