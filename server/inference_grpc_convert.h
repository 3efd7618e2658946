// Between the inference.* gRPC messages and the protocol-neutral types of
// inference_tensors.h / inference_metadata.h: typed `contents` and
// little-endian `raw_input_contents` decoded into elements, outputs encoded
// the way the request sent its inputs.
#ifndef GANSERVE_SERVER_INFERENCE_GRPC_CONVERT_H_
#define GANSERVE_SERVER_INFERENCE_GRPC_CONVERT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "inference/grpc_service.pb.h"
#include "server/inference_metadata.h"
#include "server/inference_tensors.h"

namespace ganserve {

// INVALID_ARGUMENT naming the input whose contents do not fit its datatype,
// or the request when it mixes raw and typed contents.
absl::StatusOr<InferRequest> FromProto(const inference::ModelInferRequest& proto);

// Whether the response carries raw_output_contents: yes unless the request
// sent its inputs as typed `contents` (a client that reads raw sends raw).
bool WantsRawOutputs(const inference::ModelInferRequest& proto);

void ToProto(std::vector<InferOutput> outputs, bool raw, inference::ModelInferResponse& response);
void ToProto(const InferModelMetadata& metadata, inference::ModelMetadataResponse& response);
void ToProto(const InferServerMetadata& metadata, inference::ServerMetadataResponse& response);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_INFERENCE_GRPC_CONVERT_H_
