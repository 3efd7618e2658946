// Builders for the weightless Keras layers: reshaping, resampling, padding,
// merging, activations and the layers that are the identity at inference.
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/loaders/keras_layer_builders.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/concatenate.h"
#include "engine/ops/elementwise.h"
#include "engine/ops/identity.h"
#include "engine/ops/padding2d.h"
#include "engine/ops/reshape.h"
#include "engine/ops/softmax.h"
#include "engine/ops/transpose.h"
#include "engine/ops/upsampling2d.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

using nlohmann::json;
using OpResult = absl::StatusOr<std::shared_ptr<const Op>>;

absl::Status NoWeights(const KerasLayerContext& ctx) { return ctx.ExpectWeights({}, {}); }

OpResult BuildReshape(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  const json& t = ctx.config.value("target_shape", json());
  if (!t.is_array() || t.empty()) return ctx.Error("'target_shape' is missing");
  GS_ASSIGN_OR_RETURN(auto target, ctx.Ints("target_shape", {}, t.size()));
  return std::make_shared<const ReshapeOp>(Dims(target.begin(), target.end()));
}

OpResult BuildFlatten(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  GS_RETURN_IF_ERROR(ctx.RequireChannelsLast());
  return std::make_shared<const FlattenOp>();
}

OpResult BuildUpSampling2D(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  GS_RETURN_IF_ERROR(ctx.RequireChannelsLast());
  GS_ASSIGN_OR_RETURN(auto size, ctx.Ints("size", {2, 2}, 2));
  if (size[0] <= 0 || size[1] <= 0) return ctx.Error("'size' must be positive");
  GS_ASSIGN_OR_RETURN(std::string interpolation, ctx.String("interpolation", "nearest"));
  if (interpolation == "nearest") {
    return std::make_shared<const UpSampling2DOp>(size[0], size[1], Interpolation::kNearest);
  }
  if (interpolation == "bilinear") {
    return std::make_shared<const UpSampling2DOp>(size[0], size[1], Interpolation::kBilinear,
                                                  ctx.dialect.bilinear_mode);
  }
  return ctx.Unsupported(
      absl::StrCat("interpolation '", interpolation, "' (only nearest and bilinear)"));
}

// ZeroPadding2D.padding / Cropping2D.cropping: n, (h, w) or ((top, bottom), (left, right)).
absl::StatusOr<Borders> ParseBorders(const KerasLayerContext& ctx, const char* key) {
  const json& v = ctx.config.value(key, json());
  Borders b;
  if (v.is_array() && v.size() == 2 && v[0].is_array()) {
    if (!v[1].is_array() || v[0].size() != 2 || v[1].size() != 2) {
      return ctx.Error(absl::StrCat("'", key, "' is malformed"));
    }
    for (const json* pair : {&v[0], &v[1]}) {
      for (const json& e : *pair) {
        if (!e.is_number_integer()) return ctx.Error(absl::StrCat("'", key, "' is malformed"));
      }
    }
    b = {v[0][0].get<int64_t>(), v[0][1].get<int64_t>(), v[1][0].get<int64_t>(),
         v[1][1].get<int64_t>()};
  } else {
    GS_ASSIGN_OR_RETURN(auto hw, ctx.Ints(key, {1, 1}, 2));
    b = {hw[0], hw[0], hw[1], hw[1]};
  }
  if (b.top < 0 || b.bottom < 0 || b.left < 0 || b.right < 0) {
    return ctx.Error(absl::StrCat("'", key, "' must not be negative"));
  }
  return b;
}

OpResult BuildZeroPadding2D(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  GS_RETURN_IF_ERROR(ctx.RequireChannelsLast());
  GS_ASSIGN_OR_RETURN(Borders b, ParseBorders(ctx, "padding"));
  return std::make_shared<const Padding2DOp>(Padding2DOp::ZeroPadding(b));
}

OpResult BuildCropping2D(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  GS_RETURN_IF_ERROR(ctx.RequireChannelsLast());
  GS_ASSIGN_OR_RETURN(Borders b, ParseBorders(ctx, "cropping"));
  return std::make_shared<const Padding2DOp>(Padding2DOp::Cropping(b));
}

OpResult BuildPermute(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  const json& d = ctx.config.value("dims", json());
  if (!d.is_array() || d.empty()) return ctx.Error("'dims' is missing");
  GS_ASSIGN_OR_RETURN(auto dims, ctx.Ints("dims", {}, d.size()));
  std::vector<int> perm;
  for (int64_t x : dims) {
    // Keras numbers the per-sample axes from 1 (0 is the batch).
    if (x < 1 || x > static_cast<int64_t>(dims.size())) {
      return ctx.Error(absl::StrCat("'dims' entry ", x, " is not in [1, ", dims.size(), "]"));
    }
    perm.push_back(static_cast<int>(x - 1));
  }
  return std::make_shared<const TransposeOp>(std::move(perm));
}

OpResult BuildConcatenate(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  if (ctx.inputs.size() < 2) return ctx.Error("expects at least two inputs");
  GS_ASSIGN_OR_RETURN(int64_t axis, ctx.Int("axis", -1));
  GS_ASSIGN_OR_RETURN(int sample_axis, ctx.SampleAxis(axis, ctx.inputs[0].size()));
  return std::make_shared<const ConcatenateOp>(sample_axis);
}

OpResult BuildAdd(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  return std::make_shared<const ElementwiseOp>(ElementwiseOp::Kind::kAdd);
}

OpResult BuildMultiply(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  return std::make_shared<const ElementwiseOp>(ElementwiseOp::Kind::kMultiply);
}

OpResult BuildActivation(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  GS_ASSIGN_OR_RETURN(Activation act, ctx.ActivationAt("activation"));
  if (!ctx.then.empty()) {  // a softmax: the layer's own op
    std::shared_ptr<const Op> softmax = std::move(ctx.then.back().op);
    ctx.then.clear();
    return softmax;
  }
  return std::make_shared<const ActivationOp>(act);
}

OpResult BuildSoftmax(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  if (ctx.inputs.size() != 1) return ctx.Error("expects one input");
  // Keras 3 may write the axis as a one-element list.
  const json& axis_value = ctx.config.value("axis", json(-1));
  const json& axis = axis_value.is_array() && axis_value.size() == 1 ? axis_value[0] : axis_value;
  if (!axis.is_number_integer()) return ctx.Unsupported("'axis' is not one integer");
  GS_ASSIGN_OR_RETURN(int sample_axis, ctx.SampleAxis(axis.get<int64_t>(), ctx.inputs[0].size()));
  return std::make_shared<const SoftmaxOp>(sample_axis, false);
}

OpResult BuildLeakyReLU(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  // Keras 2 writes `alpha`, Keras 3 `negative_slope`; both default to 0.3
  // (the layer's default, unlike the 0.2 of keras.activations.leaky_relu).
  const char* key = ctx.config.contains("negative_slope") ? "negative_slope" : "alpha";
  GS_ASSIGN_OR_RETURN(float slope, ctx.Float(key, 0.3f));
  return std::make_shared<const ActivationOp>(Activation::Of(Activation::Kind::kLeakyRelu, slope));
}

OpResult BuildReLU(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  Activation act = Activation::Of(Activation::Kind::kRelu);
  GS_ASSIGN_OR_RETURN(act.alpha, ctx.Float("negative_slope", 0.0f));
  GS_ASSIGN_OR_RETURN(act.threshold, ctx.Float("threshold", 0.0f));
  GS_ASSIGN_OR_RETURN(act.max_value, ctx.Float("max_value", act.max_value));
  if (act.alpha < 0 || act.max_value < 0) {
    return ctx.Error("negative_slope and max_value must not be negative");
  }
  return std::make_shared<const ActivationOp>(act);
}

OpResult BuildELU(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  GS_ASSIGN_OR_RETURN(float alpha, ctx.Float("alpha", 1.0f));
  return std::make_shared<const ActivationOp>(Activation::Of(Activation::Kind::kElu, alpha));
}

OpResult BuildIdentity(KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(NoWeights(ctx));
  if (ctx.inputs.size() != 1) return ctx.Error("expects one input");
  return std::make_shared<const IdentityOp>();
}

}  // namespace

std::vector<KerasLayerEntry> KerasShapeLayers() {
  return {
      {"Reshape", BuildReshape},
      {"Flatten", BuildFlatten},
      {"UpSampling2D", BuildUpSampling2D},
      {"ZeroPadding2D", BuildZeroPadding2D},
      {"Cropping2D", BuildCropping2D},
      {"Permute", BuildPermute},
      {"Concatenate", BuildConcatenate},
      {"Add", BuildAdd},
      {"Multiply", BuildMultiply},
      {"Activation", BuildActivation},
      {"LeakyReLU", BuildLeakyReLU},
      {"ReLU", BuildReLU},
      {"ELU", BuildELU},
      {"Softmax", BuildSoftmax},
      {"Dropout", BuildIdentity},
      {"SpatialDropout2D", BuildIdentity},
      {"GaussianNoise", BuildIdentity},
      {"GaussianDropout", BuildIdentity},
      {"AlphaDropout", BuildIdentity},
      {"ActivityRegularization", BuildIdentity},
  };
}

}  // namespace ganserve
