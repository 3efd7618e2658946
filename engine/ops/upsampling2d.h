// Keras UpSampling2D / ONNX Resize and Upsample with integer factors, on
// (H, W, C) samples.
#ifndef GANSERVE_ENGINE_OPS_UPSAMPLING2D_H_
#define GANSERVE_ENGINE_OPS_UPSAMPLING2D_H_

#include "engine/op.h"

namespace ganserve {

enum class Interpolation { kNearest, kBilinear };

// How an output pixel maps back to the input for bilinear:
//  kHalfPixel:  src = (dst + 0.5) / factor - 0.5 (tf.keras >= 2.0, Keras 3, ONNX half_pixel)
//  kAsymmetric: src = dst / factor (Keras 2.x on TensorFlow 1, ONNX asymmetric)
//  kAlignCorners: src = dst * (in - 1) / (out - 1) (ONNX align_corners)
// Nearest with integer factors repeats each pixel in every convention.
enum class CoordinateMode { kHalfPixel, kAsymmetric, kAlignCorners };

class UpSampling2DOp : public Op {
 public:
  UpSampling2DOp(int64_t size_h, int64_t size_w, Interpolation interpolation,
                 CoordinateMode mode = CoordinateMode::kHalfPixel)
      : size_h_(size_h), size_w_(size_w), interpolation_(interpolation), mode_(mode) {}
  static constexpr absl::string_view kType = "UpSampling2D";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;

  int64_t size_h() const { return size_h_; }
  int64_t size_w() const { return size_w_; }
  Interpolation interpolation() const { return interpolation_; }
  CoordinateMode mode() const { return mode_; }

 private:
  int64_t size_h_, size_w_;
  Interpolation interpolation_;
  CoordinateMode mode_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_UPSAMPLING2D_H_
