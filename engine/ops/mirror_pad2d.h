// Padding of (H, W, C) samples with the image's own edge pixels: `reflect`
// mirrors without repeating the border (PyTorch's ReflectionPad2d), `edge`
// repeats the border (ReplicationPad2d). Zero padding is Padding2DOp.
#ifndef GANSERVE_ENGINE_OPS_MIRROR_PAD2D_H_
#define GANSERVE_ENGINE_OPS_MIRROR_PAD2D_H_

#include "engine/op.h"
#include "engine/ops/pixel_gather.h"

namespace ganserve {

class MirrorPad2DOp : public Op {
 public:
  enum class Mode { kReflect, kEdge };
  MirrorPad2DOp(Mode mode, Borders borders) : mode_(mode), borders_(borders) {}
  static constexpr absl::string_view kReflectType = "ReflectionPad2D";
  static constexpr absl::string_view kEdgeType = "ReplicationPad2D";
  absl::string_view Type() const override {
    return mode_ == Mode::kReflect ? kReflectType : kEdgeType;
  }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  Mode mode() const { return mode_; }
  const Borders& borders() const { return borders_; }

 private:
  // The source row (or column) of output coordinate `at` on an axis of `size`.
  int64_t Source(int64_t at, int64_t size) const;

  Mode mode_;
  Borders borders_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_MIRROR_PAD2D_H_
