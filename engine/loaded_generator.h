// A GAN generator ready to serve: a loaded graph plus an executor, with the
// facts the server needs (latent size, label input and count, image shape,
// value range) worked out once from the graph and model.json.
#ifndef GANSERVE_ENGINE_LOADED_GENERATOR_H_
#define GANSERVE_ENGINE_LOADED_GENERATOR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/executor.h"
#include "engine/latent_sampler.h"
#include "engine/loaders/loaded_model.h"
#include "engine/model_options.h"
#include "engine/precision.h"

namespace ganserve {

class LoadedGenerator {
 public:
  static absl::StatusOr<std::unique_ptr<LoadedGenerator>> Create(
      LoadedModel model, std::unique_ptr<Executor> executor, ModelOptions options,
      Precision precision = Precision::kF32);

  int64_t latent_size() const { return latent_size_; }
  bool conditional() const { return label_input_ >= 0; }
  int64_t label_count() const { return label_count_; }  // 0 when unconditional
  const std::vector<std::string>& label_names() const { return options_.labels; }
  int64_t height() const { return height_; }
  int64_t width() const { return width_; }
  int64_t channels() const { return channels_; }
  int64_t image_size() const { return height_ * width_ * channels_; }
  // Whether the model file lays its images out C, H, W (ONNX) rather than H, W, C.
  bool channels_first() const { return channels_first_; }
  float value_min() const { return value_min_; }
  float value_max() const { return value_max_; }
  // Where the value range came from: "model.json", "activation" (tanh,
  // sigmoid) or "calibrated" (a warm-up batch fell inside a conventional range).
  const std::string& range_source() const { return range_source_; }
  // Where the image shape came from: "model", "model.json" or "inferred"
  // (a flat output that factors as a square image with 1 or 3 channels).
  const std::string& shape_source() const { return shape_source_; }
  Distribution default_distribution() const {
    return options_.latent_distribution.value_or(Distribution::kNormal);
  }
  const LoadedModel& model() const { return model_; }
  // What the executor computes in: kF32 or kBf16 (auto is resolved at load).
  Precision precision() const { return precision_; }

  std::unique_ptr<ExecutionContext> NewContext() const { return executor_->NewContext(); }
  // Builds what `context` needs to run any batch <= max_batch without
  // compiling (Executor::Prepare); call it on the thread that will run it.
  absl::Status Prepare(ExecutionContext& context, int64_t max_batch) const {
    return executor_->Prepare(context, max_batch);
  }

  // latents: N×latent_size row-major; labels: N values (empty when
  // unconditional). `images` becomes [N, H, W, C] in the model's own values.
  absl::Status Run(ExecutionContext& context, absl::Span<const float> latents,
                   absl::Span<const int32_t> labels, Tensor& images) const;
  // The same, but `output` is the graph's own output, [N, ...] in the model
  // file's layout (NCHW for ONNX, NHWC for Keras), before any reshaping.
  absl::Status RunGraph(ExecutionContext& context, absl::Span<const float> latents,
                        absl::Span<const int32_t> labels, Tensor& output) const;
  // What Run makes of RunGraph's `output`: [N, H, W, C] images.
  void ImagesFromGraphOutput(Tensor output, Tensor& images) const;

 private:
  LoadedGenerator() = default;
  absl::Status ResolveInputs();
  absl::Status ResolveOutput();
  absl::Status ResolveRange();
  absl::Status CalibrateRange();

  LoadedModel model_;
  std::unique_ptr<Executor> executor_;
  ModelOptions options_;
  Precision precision_ = Precision::kF32;
  int latent_input_ = 0;
  int label_input_ = -1;
  int64_t latent_size_ = 0;
  int64_t label_count_ = 0;
  int64_t height_ = 0, width_ = 0, channels_ = 0;
  bool channels_first_ = false;
  float value_min_ = -1.0f, value_max_ = 1.0f;
  std::string range_source_ = "activation";
  std::string shape_source_ = "model";
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADED_GENERATOR_H_
