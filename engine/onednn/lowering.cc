#include "engine/onednn/lowering.h"

#include "engine/onednn/deconv_as_conv.h"
#include "engine/onednn/eltwise_mapping.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/batch_norm.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/dense.h"
#include "engine/ops/upsampling2d.h"

namespace ganserve {
namespace {

using dims = dnnl::memory::dims;

template <typename OpT>
const OpT* As(const Node& node) {
  return dynamic_cast<const OpT*>(node.op.get());
}

// Per node, the consumers (the graph output counts as an extra consumer).
std::vector<std::vector<int>> Consumers(const Graph& graph) {
  std::vector<std::vector<int>> consumers(graph.nodes().size());
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    for (int j : graph.node(i).inputs) consumers[j].push_back(static_cast<int>(i));
  }
  consumers[graph.output()].push_back(-1);
  return consumers;
}

// The single consumer of `node` if it has exactly one (and is not the output).
int SoleConsumer(const std::vector<std::vector<int>>& consumers, int node) {
  return consumers[node].size() == 1 ? consumers[node][0] : -1;
}

// True when a BatchNorm normalizes the last axis of a `rank`-d sample.
bool ChannelsLast(const BatchNormOp& bn, size_t rank) {
  return bn.axis() == -1 || bn.axis() == static_cast<int>(rank) - 1;
}

LoweredNode AliasOf(int source) {
  LoweredNode ln;
  ln.kind = LoweredKind::kAlias;
  ln.source = source;
  return ln;
}

std::vector<float> BiasOrZeros(const std::optional<Tensor>& bias, int64_t channels) {
  return bias ? bias->data : std::vector<float>(channels, 0.0f);
}

// Fills weights/bias/activations of a conv, deconv or dense node `head` and
// absorbs what follows it. `out_stride` is the distance between consecutive
// output channels' weights in the Keras kernel; `out_period` the number of
// output channels (weight index -> channel = index / out_stride % out_period).
void LowerCompute(const Graph& graph, const std::vector<std::vector<int>>& consumers, int head,
                  const Tensor& kernel, int64_t out_stride, int64_t out_period,
                  const Activation& activation, std::vector<LoweredNode>& lowered) {
  LoweredNode& ln = lowered[head];
  ln.weights = kernel.data;
  ln.activations = {activation};
  int tail = head;
  int next = SoleConsumer(consumers, tail);
  const BatchNormOp* bn = next >= 0 ? As<BatchNormOp>(graph.node(next)) : nullptr;
  if (bn && activation.IsLinear() && ChannelsLast(*bn, graph.node(head).output_dims.size())) {
    std::vector<float> scale, shift;
    bn->ScaleAndShift(scale, shift);
    for (size_t i = 0; i < ln.weights.size(); ++i) {
      ln.weights[i] *= scale[(i / out_stride) % out_period];
    }
    for (int64_t c = 0; c < out_period; ++c) ln.bias[c] = ln.bias[c] * scale[c] + shift[c];
    lowered[next] = AliasOf(head);
    tail = next;
    next = SoleConsumer(consumers, tail);
  }
  while (next >= 0) {
    const ActivationOp* act = As<ActivationOp>(graph.node(next));
    if (act == nullptr) break;
    ln.activations.push_back(act->activation());
    lowered[next] = AliasOf(head);
    tail = next;
    next = SoleConsumer(consumers, tail);
  }
}

// A transposed conv of a 1x1 input that keeps its whole kh x kw footprint
// (PyTorch DCGAN's first layer: nz -> 4x4, stride 1, no padding) is a matrix
// product, since tap (y, x) lands on output pixel (y, x); oneDNN 2.6's
// deconvolution ran DCGAN-64's at 4 GFLOP/s.
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

}  // namespace

std::vector<LoweredNode> LowerGraph(const Graph& graph) {
  const auto consumers = Consumers(graph);
  std::vector<LoweredNode> lowered(graph.nodes().size());
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const Node& node = graph.node(i);
    LoweredNode& ln = lowered[i];
    if (ln.kind == LoweredKind::kAlias) continue;  // absorbed by an earlier node
    const Dims in = node.inputs.empty() ? Dims{} : graph.node(node.inputs[0]).output_dims;
    const absl::string_view type = node.op->Type();
    if (type == "Input") {
      ln.kind = LoweredKind::kInput;
    } else if (type == "Identity") {
      ln = AliasOf(node.inputs[0]);
    } else if (const auto* conv = As<Conv2DOp>(node)) {
      const Dims& k = conv->kernel().shape;  // [kh, kw, in, out]
      const AxisGeometry r = conv->attrs().ConvRows(in[0], k[0]);
      const AxisGeometry c = conv->attrs().ConvCols(in[1], k[1]);
      if (r.pad_begin < 0 || r.pad_end < 0 || c.pad_begin < 0 || c.pad_end < 0) continue;
      ln.kind = LoweredKind::kConv;
      ln.weight_dims = {k[3], k[2], k[0], k[1]};
      ln.weight_strides = {1, k[3], k[1] * k[2] * k[3], k[2] * k[3]};
      ln.bias = BiasOrZeros(conv->bias(), k[3]);
      LowerCompute(graph, consumers, i, conv->kernel(), 1, k[3], conv->activation(), lowered);
    } else if (const auto* deconv = As<Conv2DTransposeOp>(node)) {
      const Dims& k = deconv->kernel().shape;  // [kh, kw, out, in]
      const AxisGeometry r = deconv->attrs().TransposedRows(in[0], k[0]);
      const AxisGeometry c = deconv->attrs().TransposedCols(in[1], k[1]);
      if (r.pad_begin < 0 || c.pad_begin < 0) continue;
      ln.kind = LoweredKind::kDeconv;
      ln.weight_dims = {k[2], k[3], k[0], k[1]};
      ln.weight_strides = {k[3], 1, k[1] * k[2] * k[3], k[2] * k[3]};
      ln.bias = BiasOrZeros(deconv->bias(), k[2]);
      LowerCompute(graph, consumers, i, deconv->kernel(), k[3], k[2], deconv->activation(),
                   lowered);
      if (IsDenseInDisguise(in, k, deconv->attrs(), node.output_dims)) {
        RewriteAsDense(k, ln);
      } else if (DeconvAsConvApplies(deconv->attrs(), k[0], k[1])) {
        ln.kind = LoweredKind::kDeconvAsConv;
        RewriteAsPhaseConv(k, deconv->attrs().stride_h, deconv->attrs().stride_w, ln);
      }
    } else if (const auto* dense = As<DenseOp>(node)) {
      const Dims& k = dense->kernel().shape;  // [in, out]
      ln.kind = LoweredKind::kDense;
      ln.weight_dims = {k[1], k[0]};
      ln.weight_strides = {1, k[1]};
      ln.bias = BiasOrZeros(dense->bias(), k[1]);
      LowerCompute(graph, consumers, i, dense->kernel(), 1, k[1], dense->activation(), lowered);
    } else if (const auto* bn = As<BatchNormOp>(node)) {
      if (!ChannelsLast(*bn, in.size()) || (in.size() != 3 && in.size() != 1)) continue;
      ln.kind = LoweredKind::kBatchNorm;
      const BatchNormWeights& w = bn->weights();
      const int64_t c = w.moving_mean.size();
      ln.scale_shift.assign(2 * c, 0.0f);
      for (int64_t j = 0; j < c; ++j) {
        ln.scale_shift[j] = w.gamma ? w.gamma->data[j] : 1.0f;
        ln.scale_shift[c + j] = w.beta ? w.beta->data[j] : 0.0f;
      }
      ln.mean = w.moving_mean.data;
      ln.variance = w.moving_variance.data;
      ln.epsilon = bn->epsilon();
    } else if (const auto* act = As<ActivationOp>(node)) {
      if (ToEltwise(act->activation())) {
        ln.kind = LoweredKind::kActivation;
        ln.activations = {act->activation()};
      }
    } else if (const auto* up = As<UpSampling2DOp>(node)) {
      if (up->interpolation() == Interpolation::kNearest) {
        ln.kind = LoweredKind::kResample;
        ln.resampling = dnnl::algorithm::resampling_nearest;
      } else if (up->mode() == CoordinateMode::kHalfPixel) {
        ln.kind = LoweredKind::kResample;
        ln.resampling = dnnl::algorithm::resampling_linear;
      }
    }
  }
  return lowered;
}

}  // namespace ganserve
