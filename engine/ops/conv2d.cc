#include "engine/ops/conv2d.h"

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Dims> Conv2DOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) return absl::InvalidArgumentError("Conv2D takes one input");
  if (auto s = CheckConvWeights(inputs[0], kernel_, bias_, attrs_, 2, 3); !s.ok()) return s;
  const AxisGeometry rows = attrs_.ConvRows(inputs[0][0], kernel_.shape[0]);
  const AxisGeometry cols = attrs_.ConvCols(inputs[0][1], kernel_.shape[1]);
  return Dims{rows.out, cols.out, kernel_.shape[3]};
}

absl::Status Conv2DOp::RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const {
  const Tensor& x = *inputs[0];
  const int64_t n = x.shape[0], ih = x.shape[1], iw = x.shape[2], ic = x.shape[3];
  const int64_t kh = kernel_.shape[0], kw = kernel_.shape[1], oc = kernel_.shape[3];
  const int64_t oh = output.shape[1], ow = output.shape[2];
  const AxisGeometry rows = attrs_.ConvRows(ih, kh), cols = attrs_.ConvCols(iw, kw);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t y = 0; y < oh; ++y) {
      for (int64_t xx = 0; xx < ow; ++xx) {
        for (int64_t o = 0; o < oc; ++o) {
          double acc = bias_ ? bias_->data[o] : 0.0;
          for (int64_t ky = 0; ky < kh; ++ky) {
            const int64_t sy = y * attrs_.stride_h + ky * attrs_.dilation_h - rows.pad_begin;
            if (sy < 0 || sy >= ih) continue;
            for (int64_t kx = 0; kx < kw; ++kx) {
              const int64_t sx = xx * attrs_.stride_w + kx * attrs_.dilation_w - cols.pad_begin;
              if (sx < 0 || sx >= iw) continue;
              const float* src = &x.data[((b * ih + sy) * iw + sx) * ic];
              const float* w = &kernel_.data[((ky * kw + kx) * ic) * oc + o];
              for (int64_t i = 0; i < ic; ++i) acc += double{src[i]} * w[i * oc];
            }
          }
          output.data[((b * oh + y) * ow + xx) * oc + o] =
              activation_.Apply(static_cast<float>(acc));
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace ganserve
