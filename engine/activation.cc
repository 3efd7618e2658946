#include "engine/activation.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ganserve {
namespace {

// Constants of Klambauer et al. (2017), as Keras and PyTorch use them.
constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluScale = 1.0507009873554804934193349852946f;

float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

absl::StatusOr<Activation> Activation::FromKerasName(absl::string_view name) {
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
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported activation '", name,
                   "' (supported: linear, relu, relu6, leaky_relu, elu, selu, "
                   "tanh, sigmoid, softplus, swish, silu, gelu)"));
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
      // log(1 + e^x) without overflow for large x.
      return x > 0.0f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    case Kind::kSwish:
      return x * Sigmoid(x);
    case Kind::kGelu:
      return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
    case Kind::kGeluTanh:
      return 0.5f * x *
             (1.0f + std::tanh(0.7978845608028654f * (x + 0.044715f * x * x * x)));
  }
  return x;
}

std::string Activation::ToString() const {
  switch (kind) {
    case Kind::kLinear: return "linear";
    case Kind::kRelu:
      if (alpha == 0.0f && threshold == 0.0f && std::isinf(max_value)) return "relu";
      return absl::StrCat("relu(max_value=", max_value, ", threshold=", threshold,
                          ", negative_slope=", alpha, ")");
    case Kind::kLeakyRelu: return absl::StrCat("leaky_relu(", alpha, ")");
    case Kind::kElu: return absl::StrCat("elu(", alpha, ")");
    case Kind::kSelu: return "selu";
    case Kind::kTanh: return "tanh";
    case Kind::kSigmoid: return "sigmoid";
    case Kind::kSoftplus: return "softplus";
    case Kind::kSwish: return "swish";
    case Kind::kGelu: return "gelu";
    case Kind::kGeluTanh: return "gelu(approximate)";
  }
  return "?";
}

}  // namespace ganserve
