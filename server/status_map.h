// The one place where absl::Status becomes grpc::Status.
#ifndef GANSERVE_SERVER_STATUS_MAP_H_
#define GANSERVE_SERVER_STATUS_MAP_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace ganserve {

grpc::Status ToGrpcStatus(const absl::Status& status);

// "OK", "INVALID_ARGUMENT", ... as metrics labels.
std::string GrpcCodeName(grpc::StatusCode code);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_STATUS_MAP_H_
