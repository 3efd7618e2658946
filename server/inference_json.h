// The Open Inference Protocol's REST bodies: JSON ⇄ the protocol-neutral
// types of inference_tensors.h and inference_metadata.h. BYTES outputs (the
// PNGs) are not text, so each element is base64 and the output says so in
// its parameters ("content_encoding": "base64").
#ifndef GANSERVE_SERVER_INFERENCE_JSON_H_
#define GANSERVE_SERVER_INFERENCE_JSON_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/inference_metadata.h"
#include "server/inference_tensors.h"

namespace ganserve {

// INVALID_ARGUMENT naming what is wrong: not JSON, a field of the wrong type,
// data that does not match its datatype. `model` and `version` come from the path.
absl::StatusOr<InferRequest> InferRequestFromJson(absl::string_view body, const std::string& model,
                                                  const std::string& version);

std::string InferResponseToJson(const std::string& model, const std::string& version,
                                const std::string& id, const std::vector<InferOutput>& outputs);

std::string ServerMetadataToJson(const InferServerMetadata& metadata);
std::string ModelMetadataToJson(const InferModelMetadata& metadata);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_INFERENCE_JSON_H_
