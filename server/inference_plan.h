// An Open Inference Protocol request checked against a generator: its named
// typed inputs and parameters become validated generation work.
#ifndef GANSERVE_SERVER_INFERENCE_PLAN_H_
#define GANSERVE_SERVER_INFERENCE_PLAN_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/generation.h"
#include "engine/loaded_generator.h"
#include "server/generation_run.h"
#include "server/inference_tensors.h"

namespace ganserve {

struct InferPlan {
  PreparedGeneration work;
  std::vector<InferOutputKind> outputs;  // in the order the response lists them
  // What the generation run should deliver per image to make those outputs.
  ImageEncoding encoding = ImageEncoding::kRawFloat32;
  // The sampling request (in `encoding`) when the latents were drawn from
  // the parameters, not given: what keys the response cache.
  std::optional<GenerationRequest> seeded;
};

// Validates `request` against the model: inputs, their datatypes, shapes and
// element counts, parameters, requested outputs. INVALID_ARGUMENT names the
// tensor or parameter at fault.
absl::StatusOr<InferPlan> PlanInference(const LoadedGenerator& generator,
                                        const InferRequest& request,
                                        const GenerationLimits& limits);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_INFERENCE_PLAN_H_
