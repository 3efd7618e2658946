// Per-model settings a file cannot carry, read from the optional model.json
// next to the model file: label names, output value range, default latent
// distribution, output layout, (for flat outputs) the image shape and the
// precision the engine computes in.
#ifndef GANSERVE_ENGINE_MODEL_OPTIONS_H_
#define GANSERVE_ENGINE_MODEL_OPTIONS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/latent_sampler.h"
#include "engine/loaders/loaded_model.h"
#include "engine/precision.h"
#include "engine/tensor.h"

namespace ganserve {

struct ModelOptions {
  std::vector<std::string> labels;                      // "labels": ["t-shirt", ...]
  std::optional<std::pair<float, float>> output_range;  // "output_range": [-1, 1]
  std::optional<Distribution> latent_distribution;      // "normal" | "uniform"
  std::optional<SampleLayout> layout;                   // "NHWC" | "NCHW"
  std::optional<Dims> output_shape;    // "output_shape": [H, W, C] (or [C, H, W] for NCHW)
  std::optional<Precision> precision;  // "precision": "f32" | "bf16" | "auto"
};

// Parses model.json text; unknown keys are an error so typos do not pass silently.
absl::StatusOr<ModelOptions> ParseModelOptions(const std::string& json_text);

// Reads and parses a model.json file; a missing file gives default options.
absl::StatusOr<ModelOptions> ReadModelOptionsFile(const std::string& path);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_MODEL_OPTIONS_H_
