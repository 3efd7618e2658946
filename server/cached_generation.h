// Seeded generation through the response cache. A seeded image is a pure
// function of (model version, seed, index, label, truncation, distribution,
// encoding), so it is kept once made and answered from memory after. Used by
// the native Generate, HTTP images and any other protocol's seeded requests.
#ifndef GANSERVE_SERVER_CACHED_GENERATION_H_
#define GANSERVE_SERVER_CACHED_GENERATION_H_

#include <memory>
#include <optional>
#include <string>

#include "engine/generation.h"
#include "server/generation_run.h"
#include "server/metrics.h"
#include "server/response_cache.h"
#include "server/servable.h"

namespace ganserve {

struct SeededKey {
  std::string prefix;  // everything but the image's index and label
  uint64_t first_index = 0;
  std::string ForImage(int64_t i, int32_t label) const;
};

// The cache key of `request`'s images; none when it gives its own latents.
std::optional<SeededKey> SeededCacheKey(const Servable& servable, const GenerationRequest& request);

// A stable identity of the model version: the servable's version and a hash
// of its file, so keys and ETags do not outlive a changed model file.
std::string ModelIdentity(const Servable& servable);

// GenerationRun::Start, but when every image of a seeded request is cached
// the sink is served from the cache at once (and null is returned), and the
// images a run makes are put in the cache. `cache` null or `key` empty: no cache.
std::shared_ptr<GenerationRun> StartCachedGeneration(ResponseCache* cache, Metrics& metrics,
                                                     const std::optional<SeededKey>& key,
                                                     std::shared_ptr<const Servable> servable,
                                                     PreparedGeneration work,
                                                     GenerationRunOptions options, WorkPool& pool,
                                                     GenerationSink sink);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_CACHED_GENERATION_H_
