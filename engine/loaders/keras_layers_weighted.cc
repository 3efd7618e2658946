// Builders for the Keras layers that carry weights: Dense, Conv2D,
// Conv2DTranspose, BatchNormalization, GroupNormalization,
// LayerNormalization, Embedding.
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "engine/loaders/keras_layer_builders.h"
#include "engine/ops/batch_norm.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/dense.h"
#include "engine/ops/embedding.h"
#include "engine/ops/group_norm.h"
#include "engine/ops/layer_norm_chain.h"
#include "engine/ops/reshape.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

using OpResult = absl::StatusOr<std::shared_ptr<const Op>>;

// Splits ctx.weights into kernel and optional bias after checking shapes.
absl::Status KernelAndBias(const KerasLayerContext& ctx, const Dims& kernel_shape, int64_t out,
                           Tensor& kernel, std::optional<Tensor>& bias) {
  GS_ASSIGN_OR_RETURN(bool use_bias, ctx.Bool("use_bias", true));
  if (use_bias) {
    GS_RETURN_IF_ERROR(ctx.ExpectWeights({"kernel", "bias"}, {kernel_shape, {out}}));
    bias = ctx.weights[1];
  } else {
    GS_RETURN_IF_ERROR(ctx.ExpectWeights({"kernel"}, {kernel_shape}));
  }
  kernel = ctx.weights[0];
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Channels(const KerasLayerContext& ctx, size_t rank) {
  if (ctx.inputs.size() != 1 || ctx.inputs[0].size() != rank) {
    return ctx.Error(absl::StrCat("expects one input of per-sample rank ", rank));
  }
  return ctx.inputs[0].back();
}

OpResult BuildDense(KerasLayerContext& ctx) {
  if (ctx.inputs.size() != 1 || ctx.inputs[0].empty()) return ctx.Error("expects one input");
  GS_ASSIGN_OR_RETURN(int64_t units, ctx.Int("units", -1));
  if (units <= 0) return ctx.Error("'units' is missing or not positive");
  GS_ASSIGN_OR_RETURN(Activation act, ctx.ActivationAt("activation"));
  Tensor kernel;
  std::optional<Tensor> bias;
  GS_RETURN_IF_ERROR(KernelAndBias(ctx, {ctx.inputs[0].back(), units}, units, kernel, bias));
  return std::make_shared<const DenseOp>(std::move(kernel), std::move(bias), act);
}

// The window attributes Conv2D and Conv2DTranspose share.
absl::StatusOr<ConvAttributes> ConvAttrs(const KerasLayerContext& ctx) {
  GS_RETURN_IF_ERROR(ctx.RequireChannelsLast());
  GS_ASSIGN_OR_RETURN(int64_t groups, ctx.Int("groups", 1));
  if (groups != 1) return ctx.Unsupported(absl::StrCat("groups=", groups, " (only 1)"));
  ConvAttributes a;
  GS_ASSIGN_OR_RETURN(auto strides, ctx.Ints("strides", {1, 1}, 2));
  GS_ASSIGN_OR_RETURN(auto dilation, ctx.Ints("dilation_rate", {1, 1}, 2));
  for (int i = 0; i < 2; ++i) {
    if (strides[i] <= 0 || dilation[i] <= 0) return ctx.Error("strides and dilation must be > 0");
  }
  a.stride_h = strides[0];
  a.stride_w = strides[1];
  a.dilation_h = dilation[0];
  a.dilation_w = dilation[1];
  GS_ASSIGN_OR_RETURN(std::string padding, ctx.String("padding", "valid"));
  if (padding == "valid") {
    a.padding = Padding::kValid;
  } else if (padding == "same") {
    a.padding = Padding::kSame;
  } else {
    return ctx.Unsupported(absl::StrCat("padding '", padding, "' (only valid and same)"));
  }
  return a;
}

absl::StatusOr<std::vector<int64_t>> KernelSize(const KerasLayerContext& ctx) {
  GS_ASSIGN_OR_RETURN(auto k, ctx.Ints("kernel_size", {}, 2));
  if (k.size() != 2 || k[0] <= 0 || k[1] <= 0) return ctx.Error("'kernel_size' is missing");
  return k;
}

OpResult BuildConv2D(KerasLayerContext& ctx) {
  GS_ASSIGN_OR_RETURN(ConvAttributes attrs, ConvAttrs(ctx));
  GS_ASSIGN_OR_RETURN(int64_t in, Channels(ctx, 3));
  GS_ASSIGN_OR_RETURN(int64_t filters, ctx.Int("filters", -1));
  if (filters <= 0) return ctx.Error("'filters' is missing or not positive");
  GS_ASSIGN_OR_RETURN(auto k, KernelSize(ctx));
  GS_ASSIGN_OR_RETURN(Activation act, ctx.ActivationAt("activation"));
  Tensor kernel;
  std::optional<Tensor> bias;
  GS_RETURN_IF_ERROR(KernelAndBias(ctx, {k[0], k[1], in, filters}, filters, kernel, bias));
  return std::make_shared<const Conv2DOp>(std::move(kernel), std::move(bias), attrs, act);
}

OpResult BuildConv2DTranspose(KerasLayerContext& ctx) {
  GS_ASSIGN_OR_RETURN(ConvAttributes attrs, ConvAttrs(ctx));
  GS_ASSIGN_OR_RETURN(int64_t in, Channels(ctx, 3));
  GS_ASSIGN_OR_RETURN(int64_t filters, ctx.Int("filters", -1));
  if (filters <= 0) return ctx.Error("'filters' is missing or not positive");
  GS_ASSIGN_OR_RETURN(auto k, KernelSize(ctx));
  GS_ASSIGN_OR_RETURN(auto output_padding, ctx.Ints("output_padding", {-1, -1}, 2));
  for (int i = 0; i < 2; ++i) {
    const int64_t stride = i == 0 ? attrs.stride_h : attrs.stride_w;
    const int64_t dilation = i == 0 ? attrs.dilation_h : attrs.dilation_w;
    // Keras's own check: output_padding must be smaller than the stride (or dilation).
    if (output_padding[i] != -1 &&
        (output_padding[i] < 0 || output_padding[i] >= std::max(stride, dilation))) {
      return ctx.Error(absl::StrCat("output_padding ", output_padding[i],
                                    " must be in [0, max(stride, dilation))"));
    }
  }
  attrs.output_padding_h = output_padding[0];
  attrs.output_padding_w = output_padding[1];
  GS_ASSIGN_OR_RETURN(Activation act, ctx.ActivationAt("activation"));
  Tensor kernel;
  std::optional<Tensor> bias;
  GS_RETURN_IF_ERROR(KernelAndBias(ctx, {k[0], k[1], filters, in}, filters, kernel, bias));
  return std::make_shared<const Conv2DTransposeOp>(std::move(kernel), std::move(bias), attrs, act);
}

// The per-sample axis a normalization layer's `axis` names: an int (Keras
// 2) or a one-element list (Keras 3, tf.keras >= 2.2).
absl::StatusOr<int> NormalizationAxis(const KerasLayerContext& ctx) {
  if (ctx.inputs.size() != 1 || ctx.inputs[0].empty()) return ctx.Error("expects one input");
  int64_t keras_axis = -1;
  if (ctx.config.contains("axis") && ctx.config["axis"].is_array()) {
    GS_ASSIGN_OR_RETURN(auto axes, ctx.Ints("axis", {}, ctx.config["axis"].size()));
    if (axes.size() != 1) return ctx.Unsupported("normalisation over several axes");
    keras_axis = axes[0];
  } else {
    GS_ASSIGN_OR_RETURN(keras_axis, ctx.Int("axis", -1));
  }
  return ctx.SampleAxis(keras_axis, ctx.inputs[0].size());
}

OpResult BuildBatchNorm(KerasLayerContext& ctx) {
  GS_ASSIGN_OR_RETURN(int axis, NormalizationAxis(ctx));
  const Dims& in = ctx.inputs[0];
  GS_ASSIGN_OR_RETURN(float epsilon, ctx.Float("epsilon", 1e-3f));
  GS_ASSIGN_OR_RETURN(bool center, ctx.Bool("center", true));
  GS_ASSIGN_OR_RETURN(bool scale, ctx.Bool("scale", true));
  if (ctx.config.contains("renorm") && ctx.config["renorm"].is_boolean() &&
      ctx.config["renorm"].get<bool>()) {
    return ctx.Unsupported("renorm=True");
  }
  const Dims c = {in[axis]};
  std::vector<std::string> names;
  if (scale) names.push_back("gamma");
  if (center) names.push_back("beta");
  names.push_back("moving_mean");
  names.push_back("moving_variance");
  GS_RETURN_IF_ERROR(ctx.ExpectWeights(names, std::vector<Dims>(names.size(), c)));
  BatchNormWeights w;
  size_t i = 0;
  if (scale) w.gamma = ctx.weights[i++];
  if (center) w.beta = ctx.weights[i++];
  w.moving_mean = ctx.weights[i++];
  w.moving_variance = ctx.weights[i++];
  return std::make_shared<const BatchNormOp>(axis, epsilon, std::move(w));
}

// Keras 3 (and tf.keras 2.11+) GroupNormalization: gamma then beta, each
// per channel; groups -1 is one group per channel.
OpResult BuildGroupNorm(KerasLayerContext& ctx) {
  GS_ASSIGN_OR_RETURN(int axis, NormalizationAxis(ctx));
  const Dims& in = ctx.inputs[0];
  if (axis != static_cast<int>(in.size()) - 1) {
    return ctx.Unsupported(absl::StrCat("axis ", axis + 1, " of a rank-", in.size() + 1,
                                        " input (only the last, channels last)"));
  }
  const int64_t channels = in.back();
  GS_ASSIGN_OR_RETURN(int64_t groups, ctx.Int("groups", 32));
  if (groups == -1) groups = channels;
  if (groups <= 0 || channels % groups != 0) {
    return ctx.Error(absl::StrCat(channels, " channels do not split into ", groups, " groups"));
  }
  GS_ASSIGN_OR_RETURN(float epsilon, ctx.Float("epsilon", 1e-3f));
  GS_ASSIGN_OR_RETURN(bool center, ctx.Bool("center", true));
  GS_ASSIGN_OR_RETURN(bool scale, ctx.Bool("scale", true));
  std::vector<std::string> names;
  if (scale) names.push_back("gamma");
  if (center) names.push_back("beta");
  GS_RETURN_IF_ERROR(ctx.ExpectWeights(names, std::vector<Dims>(names.size(), {channels})));
  std::optional<Tensor> gamma, beta;
  if (scale) gamma = ctx.weights[0];
  if (center) beta = ctx.weights[scale ? 1 : 0];
  return std::make_shared<const GroupNormOp>(true, groups, epsilon, std::move(gamma),
                                             std::move(beta));
}

// Keras LayerNormalization (Keras 3, tf.keras): each sample normalized over
// `axis` (an int or a list), then gamma and beta of those axes' shape. Axes
// that end the sample (the default, -1: the channels of each pixel) run as
// the layer-norm chain and a view back to the sample's shape.
OpResult BuildLayerNorm(KerasLayerContext& ctx) {
  if (ctx.inputs.size() != 1 || ctx.inputs[0].empty()) return ctx.Error("expects one input");
  const Dims& in = ctx.inputs[0];
  std::vector<int64_t> keras_axes;
  if (ctx.config.contains("axis") && ctx.config["axis"].is_array()) {
    GS_ASSIGN_OR_RETURN(keras_axes, ctx.Ints("axis", {}, ctx.config["axis"].size()));
  } else {
    GS_ASSIGN_OR_RETURN(int64_t axis, ctx.Int("axis", -1));
    keras_axes = {axis};
  }
  if (keras_axes.empty()) return ctx.Error("'axis' is an empty list");
  std::set<int> axes;
  for (int64_t keras_axis : keras_axes) {
    GS_ASSIGN_OR_RETURN(int axis, ctx.SampleAxis(keras_axis, in.size()));
    axes.insert(axis);
  }
  const int first = *axes.begin();
  if (*axes.rbegin() != static_cast<int>(in.size()) - 1 ||
      axes.size() != in.size() - static_cast<size_t>(first)) {
    return ctx.Unsupported(absl::StrCat("normalisation over axes that do not end the sample (",
                                        ctx.config.value("axis", nlohmann::json()).dump(),
                                        " of a rank-", in.size() + 1, " input)"));
  }
  GS_ASSIGN_OR_RETURN(bool rms_scaling, ctx.Bool("rms_scaling", false));
  if (rms_scaling) return ctx.Unsupported("rms_scaling=True");
  GS_ASSIGN_OR_RETURN(float epsilon, ctx.Float("epsilon", 1e-3f));
  GS_ASSIGN_OR_RETURN(bool center, ctx.Bool("center", true));
  GS_ASSIGN_OR_RETURN(bool scale, ctx.Bool("scale", true));
  const Dims normalized_dims(in.begin() + first, in.end());
  std::vector<std::string> names;
  if (scale) names.push_back("gamma");
  if (center) names.push_back("beta");
  GS_RETURN_IF_ERROR(ctx.ExpectWeights(names, std::vector<Dims>(names.size(), normalized_dims)));
  const int64_t normalized = NumElements(normalized_dims);
  const int64_t leading = NumElements(in) / normalized;
  // gamma and beta repeat for every leading row of the view.
  Tensor gamma({leading, normalized}), beta({leading, normalized});
  for (int64_t i = 0; i < gamma.size(); ++i) {
    gamma.data[i] = scale ? ctx.weights[0].data[i % normalized] : 1.0f;
    beta.data[i] = center ? ctx.weights[scale ? 1 : 0].data[i % normalized] : 0.0f;
  }
  LayerNormChain chain = MakeLayerNormChain(leading, normalized, epsilon, std::move(gamma),
                                            std::move(beta), names.size() * normalized);
  ctx.then.push_back({"normalize", std::move(chain.normalize)});
  ctx.then.push_back({"scale_shift", std::move(chain.scale_shift)});
  ctx.then.push_back({"view", std::make_shared<const ReshapeOp>(in)});
  return chain.view;
}

OpResult BuildEmbedding(KerasLayerContext& ctx) {
  if (ctx.inputs.size() != 1) return ctx.Error("expects one input");
  GS_ASSIGN_OR_RETURN(int64_t input_dim, ctx.Int("input_dim", -1));
  GS_ASSIGN_OR_RETURN(int64_t output_dim, ctx.Int("output_dim", -1));
  if (input_dim <= 0 || output_dim <= 0) return ctx.Error("input_dim/output_dim missing");
  GS_RETURN_IF_ERROR(ctx.ExpectWeights({"embeddings"}, {{input_dim, output_dim}}));
  return std::make_shared<const EmbeddingOp>(ctx.weights[0]);
}

}  // namespace

std::vector<KerasLayerEntry> KerasWeightedLayers() {
  return {
      {"Dense", BuildDense},
      {"Conv2D", BuildConv2D},
      {"Convolution2D", BuildConv2D},
      {"Conv2DTranspose", BuildConv2DTranspose},
      {"Deconvolution2D", BuildConv2DTranspose},
      {"BatchNormalization", BuildBatchNorm},
      {"GroupNormalization", BuildGroupNorm},
      {"LayerNormalization", BuildLayerNorm},
      {"Embedding", BuildEmbedding},
  };
}

}  // namespace ganserve
