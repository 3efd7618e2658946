#include "engine/activation.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ganserve {
namespace {

// Constants of Klambauer et al. (2017), as Keras and PyTorch use them.
constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluScale = 1.0507009873554804934193349852946f;

float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// log(1 + e^x) without overflow for large x.
float Softplus(float x) {
  return x > 0.0f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

}  // namespace

absl::StatusOr<Activation> Activation::FromKerasName(absl::string_view name, int keras_major) {
  using K = Kind;
  if (name == "linear" || name.empty()) return Of(K::kLinear);
  if (name == "relu") return Of(K::kRelu);
  if (name == "relu6") {
    Activation a = Of(K::kRelu);
    a.max_value = 6.0f;
    return a;
  }
  // Keras 3's keras.activations.leaky_relu defaults negative_slope to 0.2.
  if (name == "leaky_relu") return Of(K::kLeakyRelu, 0.2f);
  if (name == "elu") return Of(K::kElu, 1.0f);
  if (name == "selu") return Of(K::kSelu);
  if (name == "tanh") return Of(K::kTanh);
  if (name == "sigmoid") return Of(K::kSigmoid);
  if (name == "softplus") return Of(K::kSoftplus);
  if (name == "swish" || name == "silu") return Of(K::kSwish);
  if (name == "gelu") return Of(K::kGelu);
  if (name == "hard_sigmoid") return Of(K::kHardSigmoid, keras_major >= 3 ? 1.0f / 6.0f : 0.2f);
  if (name == "exponential") return Of(K::kExponential);
  if (name == "mish") return Of(K::kMish);
  if (name == "softsign") return Of(K::kSoftsign);
  if (name == "hard_silu" || name == "hard_swish") return Of(K::kHardSilu);
  if (name == "log_sigmoid") return Of(K::kLogSigmoid);
  if (name == "hard_tanh") return Of(K::kHardTanh);
  if (name == "celu") return Of(K::kCelu, 1.0f);
  return absl::InvalidArgumentError(absl::StrCat(
      "unsupported activation '", name,
      "' (supported: linear, relu, relu6, leaky_relu, elu, selu, tanh, sigmoid, softplus, "
      "swish, silu, gelu, hard_sigmoid, exponential, mish, softsign, hard_silu, hard_swish, "
      "log_sigmoid, hard_tanh, celu, softmax, log_softmax)"));
}

float Activation::Apply(float x) const {
  switch (kind) {
    case Kind::kLinear:
      return x;
    case Kind::kRelu:
      if (x >= max_value) return max_value;
      if (x >= threshold) return x;
      return alpha * (x - threshold);
    case Kind::kLeakyRelu:
      return x >= 0.0f ? x : alpha * x;
    case Kind::kElu:
      return x > 0.0f ? x : alpha * std::expm1(x);
    case Kind::kSelu:
      return kSeluScale * (x > 0.0f ? x : kSeluAlpha * std::expm1(x));
    case Kind::kTanh:
      return std::tanh(x);
    case Kind::kSigmoid:
      return Sigmoid(x);
    case Kind::kSoftplus:
      return Softplus(x);
    case Kind::kSwish:
      return x * Sigmoid(x);
    case Kind::kGelu:
      return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
    case Kind::kGeluTanh:
      return 0.5f * x * (1.0f + std::tanh(0.7978845608028654f * (x + 0.044715f * x * x * x)));
    case Kind::kHardSigmoid:
      return std::clamp(alpha * x + 0.5f, 0.0f, 1.0f);
    case Kind::kExponential:
      return std::exp(x);
    case Kind::kMish:
      return x * std::tanh(Softplus(x));
    case Kind::kSoftsign:
      return x / (1.0f + std::fabs(x));
    case Kind::kHardSilu:
      return x * std::clamp(x + 3.0f, 0.0f, 6.0f) / 6.0f;
    case Kind::kLogSigmoid:
      return -Softplus(-x);
    case Kind::kHardTanh:
      return std::clamp(x, -1.0f, 1.0f);
    case Kind::kCelu:
      return std::max(x, 0.0f) + std::min(alpha * std::expm1(x / alpha), 0.0f);
    case Kind::kIsPositive:
      return x > 0.0f ? 1.0f : 0.0f;
    case Kind::kIsNotNegative:
      return x >= 0.0f ? 1.0f : 0.0f;
    case Kind::kIsZero:
      return x == 0.0f ? 1.0f : 0.0f;
  }
  return x;
}

std::string Activation::ToString() const {
  switch (kind) {
    case Kind::kLinear:
      return "linear";
    case Kind::kRelu:
      if (alpha == 0.0f && threshold == 0.0f && std::isinf(max_value)) return "relu";
      return absl::StrCat("relu(max_value=", max_value, ", threshold=", threshold,
                          ", negative_slope=", alpha, ")");
    case Kind::kLeakyRelu:
      return absl::StrCat("leaky_relu(", alpha, ")");
    case Kind::kElu:
      return absl::StrCat("elu(", alpha, ")");
    case Kind::kSelu:
      return "selu";
    case Kind::kTanh:
      return "tanh";
    case Kind::kSigmoid:
      return "sigmoid";
    case Kind::kSoftplus:
      return "softplus";
    case Kind::kSwish:
      return "swish";
    case Kind::kGelu:
      return "gelu";
    case Kind::kGeluTanh:
      return "gelu(approximate)";
    case Kind::kHardSigmoid:
      return absl::StrCat("hard_sigmoid(", alpha, ")");
    case Kind::kExponential:
      return "exponential";
    case Kind::kMish:
      return "mish";
    case Kind::kSoftsign:
      return "softsign";
    case Kind::kHardSilu:
      return "hard_silu";
    case Kind::kLogSigmoid:
      return "log_sigmoid";
    case Kind::kHardTanh:
      return "hard_tanh";
    case Kind::kCelu:
      return absl::StrCat("celu(", alpha, ")");
    case Kind::kIsPositive:
      return "is_positive";
    case Kind::kIsNotNegative:
      return "is_not_negative";
    case Kind::kIsZero:
      return "is_zero";
  }
  return "?";
}

}  // namespace ganserve
