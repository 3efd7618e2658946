#include "engine/ops/conv2d_transpose.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Dims> Conv2DTransposeOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) return absl::InvalidArgumentError("Conv2DTranspose takes one input");
  if (auto s = CheckConvWeights(inputs[0], kernel_, bias_, attrs_, 3, 2); !s.ok()) return s;
  if ((attrs_.output_padding_h >= 0 && attrs_.output_padding_h >= attrs_.stride_h) ||
      (attrs_.output_padding_w >= 0 && attrs_.output_padding_w >= attrs_.stride_w)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "output_padding (", attrs_.output_padding_h, ", ", attrs_.output_padding_w,
        ") must be smaller than the strides (", attrs_.stride_h, ", ", attrs_.stride_w, ")"));
  }
  const AxisGeometry rows = attrs_.TransposedRows(inputs[0][0], kernel_.shape[0]);
  const AxisGeometry cols = attrs_.TransposedCols(inputs[0][1], kernel_.shape[1]);
  return Dims{rows.out, cols.out, kernel_.shape[2]};
}

absl::Status Conv2DTransposeOp::RunReference(absl::Span<const Tensor* const> inputs,
                                             Tensor& output) const {
  const Tensor& x = *inputs[0];
  const int64_t n = x.shape[0], ih = x.shape[1], iw = x.shape[2], ic = x.shape[3];
  const int64_t kh = kernel_.shape[0], kw = kernel_.shape[1], oc = kernel_.shape[2];
  const int64_t oh = output.shape[1], ow = output.shape[2];
  const AxisGeometry rows = attrs_.TransposedRows(ih, kh), cols = attrs_.TransposedCols(iw, kw);
  // Scatter each input pixel into a double accumulator: output position
  // o = i*stride + k*dilation - pad_begin.
  std::vector<double> acc(static_cast<size_t>(oh * ow * oc));
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t p = 0; p < oh * ow; ++p) {
      for (int64_t o = 0; o < oc; ++o) acc[p * oc + o] = bias_ ? bias_->data[o] : 0.0;
    }
    for (int64_t y = 0; y < ih; ++y) {
      for (int64_t xx = 0; xx < iw; ++xx) {
        const float* src = &x.data[((b * ih + y) * iw + xx) * ic];
        for (int64_t ky = 0; ky < kh; ++ky) {
          const int64_t dy = y * attrs_.stride_h + ky * attrs_.dilation_h - rows.pad_begin;
          if (dy < 0 || dy >= oh) continue;
          for (int64_t kx = 0; kx < kw; ++kx) {
            const int64_t dx = xx * attrs_.stride_w + kx * attrs_.dilation_w - cols.pad_begin;
            if (dx < 0 || dx >= ow) continue;
            double* dst = &acc[(dy * ow + dx) * oc];
            const float* w = &kernel_.data[(ky * kw + kx) * oc * ic];  // [o][i]
            for (int64_t o = 0; o < oc; ++o) {
              double sum = 0.0;
              for (int64_t i = 0; i < ic; ++i) sum += double{src[i]} * w[o * ic + i];
              dst[o] += sum;
            }
          }
        }
      }
    }
    float* out = &output.data[b * oh * ow * oc];
    for (int64_t p = 0; p < oh * ow * oc; ++p) {
      out[p] = activation_.Apply(static_cast<float>(acc[p]));
    }
  }
  return absl::OkStatus();
}

}  // namespace ganserve
