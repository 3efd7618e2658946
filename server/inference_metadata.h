// What the Open Inference Protocol's metadata and readiness calls say about
// the server and its models, in protocol-neutral form.
#ifndef GANSERVE_SERVER_INFERENCE_METADATA_H_
#define GANSERVE_SERVER_INFERENCE_METADATA_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "server/inference_tensors.h"
#include "server/servable.h"

namespace ganserve {

struct InferServerMetadata {
  std::string name;
  std::string version;
  std::vector<std::string> extensions;
};

struct InferModelMetadata {
  std::string name;
  std::vector<std::string> versions;
  std::string platform;  // "<project>_<format>", information only
  std::vector<InferTensorMetadata> inputs;
  std::vector<InferTensorMetadata> outputs;
};

InferServerMetadata DescribeServer();
InferModelMetadata DescribeModel(const Servable& servable);

// OK when `version` is empty or the one `servable` is; NOT_FOUND naming the
// version served otherwise (one version of a model serves at a time).
absl::Status CheckModelVersion(const Servable& servable, const std::string& version);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_INFERENCE_METADATA_H_
