// Element-wise activation functions, shared by the Activation op and the
// activations Keras fuses into Dense / Conv2D / Conv2DTranspose.
#ifndef GANSERVE_ENGINE_ACTIVATION_H_
#define GANSERVE_ENGINE_ACTIVATION_H_

#include <limits>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

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
    kSwish,      // x * sigmoid(x), a.k.a. silu
    kGelu,       // exact, with erf
    kGeluTanh,   // the tanh approximation
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
  // "leaky_relu", "silu", ...). Unknown names are an InvalidArgument error.
  static absl::StatusOr<Activation> FromKerasName(absl::string_view name);

  bool IsLinear() const { return kind == Kind::kLinear; }
  float Apply(float x) const;
  std::string ToString() const;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ACTIVATION_H_
