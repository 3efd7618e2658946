// The generation core shared by ganserve and `ganctl render`: a request in
// domain terms is validated against the model, its latents drawn or checked
// and its labels resolved (PrepareGeneration), and each image of a batch's
// output encoded (EncodeImage). How batches are run is the caller's: the
// server's batcher, or render's own loop.
#ifndef GANSERVE_ENGINE_GENERATION_H_
#define GANSERVE_ENGINE_GENERATION_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/latent_sampler.h"
#include "engine/loaded_generator.h"

namespace ganserve {

enum class ImageEncoding { kPng, kRawUint8, kRawFloat32 };

struct GenerationLimits {
  int64_t max_images_per_request = 256;
  // Latent values beyond ±this are refused: trained latents are within a few
  // units of 0, and values near float's range overflow to inf/NaN inside the
  // first layer.
  float max_latent_magnitude = 1000.0f;
};

struct GenerationRequest {
  std::optional<std::vector<float>> latents;  // explicit, N × latent_size
  uint64_t seed = 0;                          // otherwise sampled
  int64_t count = 0;
  // Image i is latent number first_index + i of the seed's stream, so one
  // image of a larger seeded request can be asked for alone.
  uint64_t first_index = 0;
  std::optional<Distribution> distribution;  // unset: the model's default
  float truncation = 0.0f;
  std::vector<int32_t> labels;           // one per image or one for all
  std::vector<std::string> label_names;  // alternative to labels
  ImageEncoding encoding = ImageEncoding::kPng;
  bool return_latents = false;
};

// The validated work: latents and labels for every image.
struct PreparedGeneration {
  int64_t count = 0;
  std::vector<float> latents;
  std::vector<int32_t> labels;  // count values, or empty when unconditional
};

absl::StatusOr<PreparedGeneration> PrepareGeneration(const LoadedGenerator& generator,
                                                     const GenerationRequest& request,
                                                     const GenerationLimits& limits);

// One image of a LoadedGenerator::Run output ([H, W, C] values at `pixels`) in
// `encoding`. An image holding a non-finite value is an error (INTERNAL:
// the model, not the caller, produced it), never bytes that hide it.
absl::StatusOr<std::string> EncodeImage(const LoadedGenerator& generator, const float* pixels,
                                        ImageEncoding encoding);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_GENERATION_H_
