// BatchNormalization, Activation and UpSampling2D as primitives of their own
// (when no weighted layer before them absorbed them).
#include "engine/onednn/eltwise_mapping.h"
#include "engine/onednn/lowering_rules.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/batch_norm.h"
#include "engine/ops/upsampling2d.h"

namespace ganserve {

void LowerBatchNorm(const LoweringStep& step) {
  const auto& bn = step.op<BatchNormOp>();
  if (!bn.IsChannelsLast(step.in.size()) || (step.in.size() != 3 && step.in.size() != 1)) return;
  LoweredNode& ln = step.target();
  ln.kind = LoweredKind::kBatchNorm;
  const BatchNormWeights& w = bn.weights();
  const int64_t c = w.moving_mean.size();
  ln.scale_shift.assign(2 * c, 0.0f);
  for (int64_t j = 0; j < c; ++j) {
    ln.scale_shift[j] = w.gamma ? w.gamma->data[j] : 1.0f;
    ln.scale_shift[c + j] = w.beta ? w.beta->data[j] : 0.0f;
  }
  ln.mean = w.moving_mean.data;
  ln.variance = w.moving_variance.data;
  ln.epsilon = bn.epsilon();
}

void LowerActivation(const LoweringStep& step) {
  const auto& act = step.op<ActivationOp>();
  if (!ToEltwise(act.activation())) return;
  LoweredNode& ln = step.target();
  ln.kind = LoweredKind::kActivation;
  ln.activations = {act.activation()};
}

void LowerUpSampling2D(const LoweringStep& step) {
  const auto& up = step.op<UpSampling2DOp>();
  LoweredNode& ln = step.target();
  if (up.interpolation() == Interpolation::kNearest) {
    ln.kind = LoweredKind::kResample;
    ln.resampling = dnnl::algorithm::resampling_nearest;
  } else if (up.mode() == CoordinateMode::kHalfPixel) {
    ln.kind = LoweredKind::kResample;
    ln.resampling = dnnl::algorithm::resampling_linear;
  }
}

// oneDNN's reorder permutes plain layouts far faster than the reference
// loop (the ONNX loader's transpose of every output image to NCHW).
void LowerTranspose(const LoweringStep& step) {
  if (step.in.size() + 1 <= DNNL_MAX_NDIMS) step.target().kind = LoweredKind::kTranspose;
}

}  // namespace ganserve
