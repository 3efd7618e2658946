// Element-wise activation functions, shared by the Activation op and the
// activations Keras fuses into Dense / Conv2D / Conv2DTranspose.
#ifndef GANSERVE_ENGINE_ACTIVATION_H_
#define GANSERVE_ENGINE_ACTIVATION_H_

#include <limits>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ganserve {

struct Activation {
  enum class Kind {
    kLinear,
    kRelu,       // Keras ReLU: max_value cap, threshold, negative_slope (alpha)
    kLeakyRelu,  // alpha = slope for x < 0
    kElu,        // alpha
    kSelu,
    kTanh,
    kSigmoid,
    kSoftplus,
    kSwish,        // x * sigmoid(x), a.k.a. silu
    kGelu,         // exact, with erf
    kGeluTanh,     // the tanh approximation
    kHardSigmoid,  // clip(alpha * x + 0.5, 0, 1)
    kExponential,  // e^x
    kMish,         // x * tanh(softplus(x))
    kSoftsign,     // x / (1 + |x|)
    kHardSilu,     // x * relu6(x + 3) / 6, a.k.a. hard_swish
    kLogSigmoid,   // log(sigmoid(x))
    kHardTanh,     // clip(x, -1, 1)
    kCelu,         // max(x, 0) + min(alpha * expm1(x / alpha), 0)
    // The 0/1 masks ONNX comparisons make, applied to a difference a - b.
    kIsPositive,     // 1 if x > 0, else 0 (NaN gives 0, as a comparison does)
    kIsNotNegative,  // 1 if x >= 0, else 0
    kIsZero,         // 1 if x == 0, else 0
  };

  Kind kind = Kind::kLinear;
  float alpha = 0.0f;
  float max_value = std::numeric_limits<float>::infinity();
  float threshold = 0.0f;

  static Activation Linear() { return {}; }
  static Activation Of(Kind kind, float alpha = 0.0f) {
    Activation a;
    a.kind = kind;
    a.alpha = alpha;
    return a;
  }
  // Keras activation names as they appear in a layer config ("relu", "tanh",
  // "leaky_relu", "silu", ...). `keras_major` picks the saving Keras's
  // definition where they differ (hard_sigmoid: slope 0.2 before Keras 3,
  // 1/6 from it). Unknown names are an InvalidArgument error; softmax and
  // log_softmax are not element-wise and are the SoftmaxOp's.
  static absl::StatusOr<Activation> FromKerasName(absl::string_view name, int keras_major = 3);

  bool IsLinear() const { return kind == Kind::kLinear; }
  float Apply(float x) const;
  std::string ToString() const;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ACTIVATION_H_
