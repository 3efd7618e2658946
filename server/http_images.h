// The images-by-URL paths in domain terms: query parameters → generation
// requests, the strong ETag of an answer, and the grid and strip layouts.
//   /v1/models/{m}/images/{seed}.png?index=&label=&truncation=
//     image `index` (default 0) of a seeded request for `seed`: the same
//     pixels as image `index` of native Generate {seed, count > index}.
//   /v1/models/{m}/grid.png?seed=&n=&label=&truncation=&columns=&scale=
//     images 0..n-1 of that request, `columns` a row (default ~sqrt(n)).
//   /v1/models/{m}/interpolate.png?from=&to=&steps=&label=&truncation=&scale=
//     `steps` images on the spherical path from latent 0 of seed `from` to
//     latent 0 of seed `to`.
// On a conditional model `label` (a number or a label name) applies to every
// image; without it image i has label i mod label_count (the strip: 0).
#ifndef GANSERVE_SERVER_HTTP_IMAGES_H_
#define GANSERVE_SERVER_HTTP_IMAGES_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/generation.h"
#include "engine/png.h"
#include "server/servable.h"

namespace ganserve {

using Query = std::map<std::string, std::string>;

enum class ImageLayout { kSingle, kGrid, kStrip };

struct ImagePlan {
  GenerationRequest request;
  ImageLayout layout = ImageLayout::kSingle;
  int columns = 1;
  int scale = 1;
  std::string canonical;  // every parameter that shapes the answer, for the ETag
};

// Validates the path's parameters against the model; INVALID_ARGUMENT names
// the parameter. `seed_text` is the {seed} of the single-image path.
absl::StatusOr<ImagePlan> PlanSingleImage(const Servable& servable, const std::string& seed_text,
                                          const Query& query);
absl::StatusOr<ImagePlan> PlanGrid(const Servable& servable, const Query& query);
absl::StatusOr<ImagePlan> PlanStrip(const Servable& servable, const Query& query);

// A strong ETag, quoted: the model's identity and a hash of the parameters.
std::string ImageETag(const Servable& servable, const ImagePlan& plan);
// Whether an If-None-Match header value names `etag` (weak comparison, or "*").
bool MatchesETag(const std::string& if_none_match, const std::string& etag);

// The grid or strip of raw uint8 images (in index order) as one PNG.
absl::StatusOr<std::string> ComposeSheet(const LoadedGenerator& generator, const ImagePlan& plan,
                                         const std::vector<std::string>& images);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_HTTP_IMAGES_H_
