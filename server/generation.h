// A Generate call in domain terms, below the gRPC layer: validates the
// request against the model, draws or checks the latents, resolves labels,
// runs the images through the model's batcher in chunks and encodes them.
#ifndef GANSERVE_SERVER_GENERATION_H_
#define GANSERVE_SERVER_GENERATION_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/latent_sampler.h"
#include "server/servable.h"

namespace ganserve {

enum class ImageEncoding { kPng, kRawUint8, kRawFloat32 };

struct GenerationLimits {
  int64_t max_images_per_request = 256;
};

struct GenerationRequest {
  std::optional<std::vector<float>> latents;  // explicit, N × latent_size
  uint64_t seed = 0;                          // otherwise sampled
  int64_t count = 0;
  std::optional<Distribution> distribution;  // unset: the model's default
  float truncation = 0.0f;
  std::vector<int32_t> labels;           // one per image or one for all
  std::vector<std::string> label_names;  // alternative to labels
  ImageEncoding encoding = ImageEncoding::kPng;
  bool return_latents = false;
};

// What one image of the answer carries.
struct GeneratedImageData {
  int64_t index = 0;
  std::string data;
  int32_t label = -1;
  std::vector<float> latent;  // when return_latents
};

struct CallControl {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::function<bool()> is_cancelled = [] { return false; };
};

// The validated work: latents and labels for every image.
struct PreparedGeneration {
  int64_t count = 0;
  std::vector<float> latents;
  std::vector<int32_t> labels;  // count values, or empty when unconditional
};

absl::StatusOr<PreparedGeneration> PrepareGeneration(const Generator& generator,
                                                     const GenerationRequest& request,
                                                     const GenerationLimits& limits);

// Runs the prepared images in batcher-sized chunks and hands each image to
// `sink` in request order as soon as its chunk is done. `sink` returning
// false stops the work (the client went away).
absl::Status RunGeneration(const Servable& servable, const PreparedGeneration& work,
                           const GenerationRequest& request, const CallControl& control,
                           const std::function<bool(GeneratedImageData)>& sink);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_GENERATION_H_
