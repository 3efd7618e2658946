#include "engine/onednn/eltwise_mapping.h"

#include <cfloat>
#include <cmath>

namespace ganserve {
namespace {

// Constants of Klambauer et al. (2017), as engine/activation.cc uses them.
constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluScale = 1.0507009873554804934193349852946f;

}  // namespace

std::optional<std::vector<EltwiseSpec>> ToEltwise(const Activation& a) {
  using K = Activation::Kind;
  using alg = dnnl::algorithm;
  switch (a.kind) {
    case K::kLinear:
      return std::vector<EltwiseSpec>{};
    case K::kRelu: {
      // Keras ReLU with a threshold shifts the kink away from zero; oneDNN
      // has no such op, so those run through the reference loop.
      if (a.threshold != 0.0f) return std::nullopt;
      std::vector<EltwiseSpec> chain{{alg::eltwise_relu, a.alpha, 0.0f}};
      if (std::isfinite(a.max_value)) {
        // The cap only matches Keras's order of tests when it is above the
        // negative branch's values, i.e. max_value >= 0 with alpha >= 0.
        if (a.max_value < 0.0f || a.alpha < 0.0f) return std::nullopt;
        chain.push_back({alg::eltwise_clip_v2, -FLT_MAX, a.max_value});
      }
      return chain;
    }
    case K::kLeakyRelu:
      return std::vector<EltwiseSpec>{{alg::eltwise_relu, a.alpha, 0.0f}};
    case K::kElu:
      return std::vector<EltwiseSpec>{{alg::eltwise_elu, a.alpha, 0.0f}};
    case K::kSelu:
      return std::vector<EltwiseSpec>{{alg::eltwise_elu, kSeluAlpha, 0.0f},
                                      {alg::eltwise_linear, kSeluScale, 0.0f}};
    case K::kTanh:
      return std::vector<EltwiseSpec>{{alg::eltwise_tanh}};
    case K::kSigmoid:
      return std::vector<EltwiseSpec>{{alg::eltwise_logistic}};
    case K::kSoftplus:
      return std::vector<EltwiseSpec>{{alg::eltwise_soft_relu}};
    case K::kSwish:
      return std::vector<EltwiseSpec>{{alg::eltwise_swish, 1.0f, 0.0f}};
    case K::kGelu:
      return std::vector<EltwiseSpec>{{alg::eltwise_gelu_erf}};
    case K::kGeluTanh:
      return std::vector<EltwiseSpec>{{alg::eltwise_gelu_tanh}};
    case K::kHardSigmoid:
      return std::vector<EltwiseSpec>{{alg::eltwise_linear, a.alpha, 0.5f},
                                      {alg::eltwise_clip_v2, 0.0f, 1.0f}};
    case K::kExponential:
      return std::vector<EltwiseSpec>{{alg::eltwise_exp}};
    case K::kMish:
      return std::vector<EltwiseSpec>{{alg::eltwise_mish}};
    case K::kHardSilu:
      return std::vector<EltwiseSpec>{{alg::eltwise_hardswish}};
    case K::kLogSigmoid:
      return std::vector<EltwiseSpec>{{alg::eltwise_logsigmoid}};
    case K::kHardTanh:
      return std::vector<EltwiseSpec>{{alg::eltwise_clip_v2, -1.0f, 1.0f}};
    case K::kSoftsign:
    case K::kCelu:
    case K::kIsPositive:
    case K::kIsNotNegative:
    case K::kIsZero:
      return std::nullopt;  // no oneDNN eltwise; the reference loop runs them
  }
  return std::nullopt;
}

bool AllExpressible(const std::vector<Activation>& activations) {
  for (const Activation& a : activations) {
    if (!ToEltwise(a)) return false;
  }
  return true;
}

void AppendPostOps(const std::vector<Activation>& activations, dnnl::post_ops& post_ops) {
  for (const Activation& a : activations) {
    const auto chain = ToEltwise(a);
    for (const EltwiseSpec& e : *chain) {
      post_ops.append_eltwise(1.0f, e.algorithm, e.alpha, e.beta);
    }
  }
}

}  // namespace ganserve
