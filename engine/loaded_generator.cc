#include "engine/loaded_generator.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "engine/output_inference.h"
#include "engine/status_context.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

// The IndexCount of the first op taking indices (an Embedding) fed by graph
// input `input` directly or through shape-only ops, or 0.
int64_t LabelCountOf(const Graph& graph, int input) {
  std::set<int> reached = {graph.inputs()[input]};
  for (int i = 0; i < static_cast<int>(graph.nodes().size()); ++i) {
    const Node& node = graph.node(i);
    if (node.inputs.size() != 1 || !reached.count(node.inputs[0])) continue;
    if (node.op->IndexCount() > 0) return node.op->IndexCount();
    if (node.op->IsShapeOnly()) reached.insert(i);
  }
  return 0;
}

// The activation that produces the model's output, looking through ops that
// move values without changing them (an element-wise activation commutes with those).
std::optional<Activation> LastActivation(const Graph& graph) {
  int i = graph.output();
  while (graph.node(i).op->MovesValuesUnchanged()) {
    if (graph.node(i).inputs.size() != 1) return std::nullopt;
    i = graph.node(i).inputs[0];
  }
  const Activation* activation = graph.node(i).op->OutputActivation();
  if (activation == nullptr) return std::nullopt;
  return *activation;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LoadedGenerator>> LoadedGenerator::Create(
    LoadedModel model, std::unique_ptr<Executor> executor, ModelOptions options,
    Precision precision) {
  if (model.graph == nullptr || executor == nullptr) {
    return absl::InvalidArgumentError("LoadedGenerator needs a graph and an executor");
  }
  std::unique_ptr<LoadedGenerator> g(new LoadedGenerator());
  g->model_ = std::move(model);
  g->executor_ = std::move(executor);
  g->options_ = std::move(options);
  g->precision_ = precision;
  GS_RETURN_IF_ERROR(g->ResolveInputs());
  GS_RETURN_IF_ERROR(g->ResolveOutput());
  GS_RETURN_IF_ERROR(g->ResolveRange());
  return g;
}

absl::Status LoadedGenerator::ResolveInputs() {
  const Graph& graph = *model_.graph;
  const int num_inputs = static_cast<int>(graph.inputs().size());
  if (num_inputs < 1 || num_inputs > 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a generator has one input (latent) or two (latent and label); this model has ",
        num_inputs));
  }
  if (num_inputs == 2) {
    for (int i = 0; i < 2; ++i) {
      if (const int64_t count = LabelCountOf(graph, i); count > 0) {
        label_input_ = i;
        label_count_ = count;
      }
    }
    if (label_input_ < 0) {
      for (int i = 0; i < 2; ++i) {
        if (graph.input_dims(i) == Dims{1}) label_input_ = i;
      }
      if (label_input_ < 0) {
        return absl::InvalidArgumentError(
            "cannot tell which input takes the class label: neither feeds an Embedding "
            "nor has shape (1,)");
      }
      label_count_ = static_cast<int64_t>(options_.labels.size());
      if (label_count_ == 0) {
        return absl::InvalidArgumentError(
            "the label input feeds no Embedding, so the class count must come from "
            "model.json \"labels\"");
      }
    }
    if (NumElements(graph.input_dims(label_input_)) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("the label input must take one value per sample; it has shape ",
                       DimsToString(graph.input_dims(label_input_))));
    }
    latent_input_ = 1 - label_input_;
  }
  latent_size_ = NumElements(graph.input_dims(latent_input_));
  if (!options_.labels.empty() && static_cast<int64_t>(options_.labels.size()) != label_count_) {
    return absl::InvalidArgumentError(absl::StrCat("model.json names ", options_.labels.size(),
                                                   " labels but the model has ", label_count_,
                                                   " classes"));
  }
  return absl::OkStatus();
}

absl::Status LoadedGenerator::ResolveOutput() {
  Dims dims = model_.graph->output_dims();
  channels_first_ = options_.layout.value_or(model_.output_layout) == SampleLayout::kChannelsFirst;
  if (dims.size() == 1 && !options_.output_shape.has_value()) {
    // The producer's own convention: PyTorch views [N, C*H*W] as NCHW, Keras NHWC.
    channels_first_ =
        options_.layout.value_or(model_.format == "onnx"
                                     ? SampleLayout::kChannelsFirst
                                     : SampleLayout::kChannelsLast) == SampleLayout::kChannelsFirst;
    std::optional<Dims> square = SquareImage(dims[0], channels_first_);
    if (!square) {
      return absl::InvalidArgumentError(
          absl::StrCat("the model's output ", DimsToString(dims),
                       " is flat and not a square image with 1 or 3 channels; model.json must give "
                       "\"output_shape\" and \"layout\""));
    }
    dims = *square;
    shape_source_ = "inferred";
  } else if (dims.size() == 1 || options_.output_shape.has_value()) {
    if (!options_.output_shape.has_value() || !options_.layout.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the model's output ", DimsToString(dims),
                       " is not an image; model.json must give \"output_shape\" and \"layout\""));
    }
    if (NumElements(*options_.output_shape) != NumElements(dims)) {
      return absl::InvalidArgumentError(
          absl::StrCat("model.json output_shape ", DimsToString(*options_.output_shape), " has ",
                       NumElements(*options_.output_shape), " values but the model outputs ",
                       NumElements(dims)));
    }
    dims = *options_.output_shape;
    shape_source_ = "model.json";
  }
  if (dims.size() == 2)
    dims = channels_first_ ? Dims{1, dims[0], dims[1]} : Dims{dims[0], dims[1], 1};
  if (dims.size() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected an image output (H, W, C); the model outputs ", DimsToString(dims)));
  }
  if (channels_first_) {
    channels_ = dims[0], height_ = dims[1], width_ = dims[2];
  } else {
    height_ = dims[0], width_ = dims[1], channels_ = dims[2];
  }
  if (channels_ < 1 || channels_ > 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("images need 1 to 4 channels; the output ", DimsToString(dims), " has ",
                     channels_, channels_first_ ? " (read as CHW)" : " (read as HWC)"));
  }
  return absl::OkStatus();
}

absl::Status LoadedGenerator::ResolveRange() {
  if (options_.output_range.has_value()) {
    value_min_ = options_.output_range->first;
    value_max_ = options_.output_range->second;
    range_source_ = "model.json";
    return absl::OkStatus();
  }
  std::optional<Activation> last = LastActivation(*model_.graph);
  if (last && last->kind == Activation::Kind::kTanh) {
    value_min_ = -1.0f, value_max_ = 1.0f;
  } else if (last && last->kind == Activation::Kind::kSigmoid) {
    value_min_ = 0.0f, value_max_ = 1.0f;
  } else {
    GS_RETURN_IF_ERROR(
        WithPrefix(absl::StrCat("the last activation (", last ? last->ToString() : "none",
                                ") does not fix the output value range"),
                   CalibrateRange()));
  }
  return absl::OkStatus();
}

absl::Status LoadedGenerator::CalibrateRange() {
  const SamplingSpec spec{kCalibrationSeed, default_distribution()};
  const std::vector<float> latents = SampleLatents(spec, kCalibrationBatch, latent_size_);
  std::vector<int32_t> labels;
  for (int64_t i = 0; conditional() && i < kCalibrationBatch; ++i) {
    labels.push_back(static_cast<int32_t>(i % label_count_));
  }
  std::unique_ptr<ExecutionContext> context = executor_->NewContext();
  Tensor output;
  GS_RETURN_IF_ERROR(RunGraph(*context, latents, labels, output));
  GS_ASSIGN_OR_RETURN(const ValueRange range, ConventionalRangeOf(output.data));
  value_min_ = range.min, value_max_ = range.max;
  range_source_ = "calibrated";
  return absl::OkStatus();
}

absl::Status LoadedGenerator::RunGraph(ExecutionContext& context, absl::Span<const float> latents,
                                       absl::Span<const int32_t> labels, Tensor& output) const {
  const int64_t n = latent_size_ == 0 ? 0 : static_cast<int64_t>(latents.size()) / latent_size_;
  if (n == 0 || n * latent_size_ != static_cast<int64_t>(latents.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected N×", latent_size_, " latent values, got ", latents.size()));
  }
  const Graph& graph = *model_.graph;
  std::vector<Tensor> inputs(graph.inputs().size());
  inputs[latent_input_] = Tensor(WithBatch(n, graph.input_dims(latent_input_)),
                                 std::vector<float>(latents.begin(), latents.end()));
  if (conditional()) {
    if (static_cast<int64_t>(labels.size()) != n) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected ", n, " labels, got ", labels.size()));
    }
    Tensor& label_tensor = inputs[label_input_];
    label_tensor = Tensor(WithBatch(n, graph.input_dims(label_input_)));
    for (int64_t i = 0; i < n; ++i) {
      if (labels[i] < 0 || labels[i] >= label_count_) {
        return absl::InvalidArgumentError(
            absl::StrCat("label ", labels[i], " is outside [0, ", label_count_, ")"));
      }
      label_tensor.data[i] = static_cast<float>(labels[i]);
    }
  }
  return executor_->Run(context, inputs, output);
}

absl::Status LoadedGenerator::Run(ExecutionContext& context, absl::Span<const float> latents,
                                  absl::Span<const int32_t> labels, Tensor& images) const {
  Tensor raw;
  GS_RETURN_IF_ERROR(RunGraph(context, latents, labels, raw));
  ImagesFromGraphOutput(std::move(raw), images);
  return absl::OkStatus();
}

void LoadedGenerator::ImagesFromGraphOutput(Tensor raw, Tensor& images) const {
  const int64_t n = raw.shape.empty() ? 0 : raw.shape[0];
  if (!channels_first_) {
    images = Tensor({n, height_, width_, channels_}, std::move(raw.data));
    return;
  }
  images.Resize({n, height_, width_, channels_});
  const int64_t plane = height_ * width_;
  for (int64_t b = 0; b < n; ++b) {
    const float* src = raw.data.data() + b * image_size();
    float* dst = images.data.data() + b * image_size();
    for (int64_t c = 0; c < channels_; ++c) {
      for (int64_t p = 0; p < plane; ++p) dst[p * channels_ + c] = src[c * plane + p];
    }
  }
}

}  // namespace ganserve
