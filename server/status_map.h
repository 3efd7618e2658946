// The one place where absl::Status becomes grpc::Status or an HTTP status.
#ifndef GANSERVE_SERVER_STATUS_MAP_H_
#define GANSERVE_SERVER_STATUS_MAP_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace ganserve {

grpc::Status ToGrpcStatus(const absl::Status& status);

// 200, 400, 404, 429, 503, ... for the HTTP front.
int HttpStatusCode(absl::StatusCode code);

// "OK", "INVALID_ARGUMENT", ... as metrics labels.
std::string GrpcCodeName(grpc::StatusCode code);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_STATUS_MAP_H_
