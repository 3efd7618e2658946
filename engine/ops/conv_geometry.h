// Output length and placement of convolutions along one spatial axis, with
// TensorFlow's rules for 'same' (odd padding goes at the end).
#ifndef GANSERVE_ENGINE_OPS_CONV_GEOMETRY_H_
#define GANSERVE_ENGINE_OPS_CONV_GEOMETRY_H_

#include <cstdint>

namespace ganserve {

enum class Padding {
  kValid,     // no padding
  kSame,      // TensorFlow's rule: odd pixel of padding at the end
  kExplicit,  // begin/end given (ONNX pads, PyTorch padding)
};

// Where a window lies along one axis: output length and how many input
// pixels of padding precede the first input pixel.
struct AxisGeometry {
  int64_t out = 0;
  int64_t pad_begin = 0;  // conv: zeros before the input; transposed: crop of the full output
  int64_t pad_end = 0;    // may be negative for transposed conv (bias-only rows appended)
};

inline int64_t EffectiveKernel(int64_t k, int64_t dilation) { return (k - 1) * dilation + 1; }

// Forward convolution. For kExplicit, pad_begin/pad_end are used as given.
AxisGeometry ConvAxis(int64_t in, int64_t k, int64_t stride, int64_t dilation, Padding padding,
                      int64_t pad_begin = 0, int64_t pad_end = 0);

// Transposed convolution, defined as the gradient of a convolution: the full
// output has length (in-1)*stride + k_eff; the result is the window
// [pad_begin, pad_begin + out) of it, where positions past the full output
// hold only the bias.
//  - kValid / kSame without output_padding: Keras's length rule
//    (valid: in*s + max(k_eff - s, 0); same: in*s), begin floor((k_eff-s)/2).
//  - with output_padding >= 0: (in-1)*s + k_eff - 2*pad + output_padding,
//    pad = k_eff/2 for same and 0 for valid (Keras), placed as TensorFlow does.
//  - kExplicit: ONNX/PyTorch: out = (in-1)*s + k_eff - begin - end + output_padding.
AxisGeometry TransposedConvAxis(int64_t in, int64_t k, int64_t stride, int64_t dilation,
                                Padding padding, int64_t output_padding = -1,
                                int64_t pad_begin = 0, int64_t pad_end = 0);

// The window attributes shared by Conv2D and Conv2DTranspose.
struct ConvAttributes {
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  Padding padding = Padding::kValid;
  // Used when padding is kExplicit.
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  // Conv2DTranspose only; -1 means not given.
  int64_t output_padding_h = -1, output_padding_w = -1;

  AxisGeometry ConvRows(int64_t in, int64_t k) const {
    return ConvAxis(in, k, stride_h, dilation_h, padding, pad_top, pad_bottom);
  }
  AxisGeometry ConvCols(int64_t in, int64_t k) const {
    return ConvAxis(in, k, stride_w, dilation_w, padding, pad_left, pad_right);
  }
  AxisGeometry TransposedRows(int64_t in, int64_t k) const {
    return TransposedConvAxis(in, k, stride_h, dilation_h, padding, output_padding_h, pad_top,
                              pad_bottom);
  }
  AxisGeometry TransposedCols(int64_t in, int64_t k) const {
    return TransposedConvAxis(in, k, stride_w, dilation_w, padding, output_padding_w, pad_left,
                              pad_right);
  }
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_CONV_GEOMETRY_H_
