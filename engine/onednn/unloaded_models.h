// What a served model leaves in the process after it is unloaded, handed back.
#ifndef GANSERVE_ENGINE_ONEDNN_UNLOADED_MODELS_H_
#define GANSERVE_ENGINE_ONEDNN_UNLOADED_MODELS_H_

namespace ganserve {

// Drops oneDNN's cached primitives and returns free malloc pages to the system.
// A loaded model's plans hold their own primitives, so the cache only holds
// on to those of models gone (up to 1024 by default, each with its JIT code)
// and saves a compile when a worker builds a plan another already built.
// Call it after a model is unloaded.
void ReleaseUnloadedModelMemory();

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_UNLOADED_MODELS_H_
