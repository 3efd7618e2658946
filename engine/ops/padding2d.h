// Keras ZeroPadding2D and Cropping2D, ONNX Pad in constant mode: add a
// constant (zeros unless given) around, or cut from, the edges of (H, W, C)
// samples. One op; cropping is negative padding.
#ifndef GANSERVE_ENGINE_OPS_PADDING2D_H_
#define GANSERVE_ENGINE_OPS_PADDING2D_H_

#include "engine/op.h"
#include "engine/ops/pixel_gather.h"

namespace ganserve {

class Padding2DOp : public Op {
 public:
  static Padding2DOp ZeroPadding(Borders b) { return Padding2DOp(b, false, 0.0f); }
  static Padding2DOp ConstantPadding(Borders b, float fill) { return Padding2DOp(b, false, fill); }
  static Padding2DOp Cropping(Borders b) { return Padding2DOp(b, true, 0.0f); }
  static constexpr absl::string_view kCropType = "Cropping2D";
  static constexpr absl::string_view kPadType = "ZeroPadding2D";
  absl::string_view Type() const override { return crop_ ? kCropType : kPadType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  // Signed padding: negative where this op crops.
  Borders signed_borders() const;
  float fill() const { return fill_; }

 private:
  Padding2DOp(Borders b, bool crop, float fill) : borders_(b), crop_(crop), fill_(fill) {}
  Borders borders_;
  bool crop_;
  float fill_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_PADDING2D_H_
