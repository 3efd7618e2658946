// A generation run's images as the Open Inference Protocol's output
// tensors, and the tensors' metadata.
#ifndef GANSERVE_SERVER_INFERENCE_OUTPUTS_H_
#define GANSERVE_SERVER_INFERENCE_OUTPUTS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/loaded_generator.h"
#include "server/generation_run.h"
#include "server/inference_plan.h"
#include "server/inference_tensors.h"

namespace ganserve {

// Collects a run's images, delivered in index order, into the output tensors.
class InferOutputs {
 public:
  InferOutputs(const LoadedGenerator& generator, const InferPlan& plan);

  // `image.data` is in the plan's encoding.
  absl::Status Add(const EncodedImage& image);
  // The outputs, in the plan's order; call once, after the last Add.
  std::vector<InferOutput> Take();

 private:
  const LoadedGenerator& generator_;
  const ImageEncoding encoding_;
  std::vector<InferOutputKind> kinds_;
  std::vector<InferOutput> outputs_;
};

// The datatype and shape of one output for `count` images (kAnySize: any).
InferTensorMetadata DescribeOutput(const LoadedGenerator& generator, InferOutputKind kind,
                                   int64_t count);
// The model's inputs and every output, for metadata.
std::vector<InferTensorMetadata> DescribeInputs(const LoadedGenerator& generator);
std::vector<InferTensorMetadata> DescribeOutputs(const LoadedGenerator& generator);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_INFERENCE_OUTPUTS_H_
