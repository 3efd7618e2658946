// One loaded, warmed version of a model with its batcher. Held by
// shared_ptr: in-flight requests keep an old version alive while the
// registry swaps a new one in.
#ifndef GANSERVE_SERVER_SERVABLE_H_
#define GANSERVE_SERVER_SERVABLE_H_

#include <memory>
#include <string>

#include "engine/loaded_generator.h"
#include "server/batcher.h"

namespace ganserve {

struct Servable {
  std::string name;
  std::string version;
  std::string source_path;
  // A hash of the model (and model.json) file bytes; in-memory models get a
  // token unique to this load. With `version`, what cached answers depend on.
  std::string fingerprint;
  std::shared_ptr<const LoadedGenerator> generator;
  std::shared_ptr<ModelCounters> counters;
  // Declared last: destroyed first, so queued work finishes while the
  // generator is still alive.
  std::unique_ptr<Batcher> batcher;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_SERVABLE_H_
