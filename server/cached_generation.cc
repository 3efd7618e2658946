#include "server/cached_generation.h"

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ganserve {

std::string SeededKey::ForImage(int64_t i, int32_t label) const {
  return absl::StrCat(prefix, "|", first_index + static_cast<uint64_t>(i), "|", label);
}

std::string ModelIdentity(const Servable& servable) {
  return absl::StrCat(servable.version, "-", servable.fingerprint);
}

std::optional<SeededKey> SeededCacheKey(const Servable& servable,
                                        const GenerationRequest& request) {
  if (request.latents.has_value()) return std::nullopt;
  const Distribution distribution =
      request.distribution.value_or(servable.generator->default_distribution());
  uint32_t truncation_bits = 0;
  std::memcpy(&truncation_bits, &request.truncation, sizeof(truncation_bits));
  SeededKey key;
  key.prefix = absl::StrCat(servable.name, "|", ModelIdentity(servable), "|", request.seed, "|",
                            truncation_bits, "|", static_cast<int>(distribution), "|",
                            static_cast<int>(request.encoding));
  key.first_index = request.first_index;
  return key;
}

namespace {

int32_t LabelOf(const PreparedGeneration& work, int64_t i) {
  return work.labels.empty() ? -1 : work.labels[i];
}

}  // namespace

std::shared_ptr<GenerationRun> StartCachedGeneration(ResponseCache* cache, Metrics& metrics,
                                                     const std::optional<SeededKey>& key,
                                                     std::shared_ptr<const Servable> servable,
                                                     PreparedGeneration work,
                                                     GenerationRunOptions options, WorkPool& pool,
                                                     GenerationSink sink) {
  if (cache == nullptr || !key.has_value()) {
    return GenerationRun::Start(std::move(servable), std::move(work), options, pool,
                                std::move(sink));
  }
  std::vector<std::shared_ptr<const std::string>> hits;
  for (int64_t i = 0; i < work.count; ++i) {
    std::shared_ptr<const std::string> hit = cache->Get(key->ForImage(i, LabelOf(work, i)));
    if (hit == nullptr) break;
    hits.push_back(std::move(hit));
  }
  const bool all_cached = static_cast<int64_t>(hits.size()) == work.count;
  for (int64_t i = 0; i < work.count; ++i) metrics.CountCacheLookup(servable->name, all_cached);
  if (all_cached) {
    const int64_t z = servable->generator->latent_size();
    for (int64_t i = 0; i < work.count; ++i) {
      EncodedImage image{i, *hits[i], LabelOf(work, i), {}};
      if (options.return_latents) {
        image.latent.assign(work.latents.begin() + i * z, work.latents.begin() + (i + 1) * z);
      }
      sink.on_image(std::move(image));
    }
    sink.on_done(absl::OkStatus());
    return nullptr;
  }
  GenerationSink caching;
  caching.on_image = [cache, key = *key, on_image = std::move(sink.on_image)](EncodedImage image) {
    cache->Put(key.ForImage(image.index, image.label), image.data);
    on_image(std::move(image));
  };
  caching.on_done = std::move(sink.on_done);
  return GenerationRun::Start(std::move(servable), std::move(work), options, pool,
                              std::move(caching));
}

}  // namespace ganserve
