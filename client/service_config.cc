#include "client/service_config.h"

#include "absl/strings/str_cat.h"

namespace ganserve::client {
namespace {

// Five attempts (gRPC's cap), up to 50, 100, 200 and 400 ms apart (gRPC draws
// each wait at random below its bound), outlast a replica's death and the
// reconnects it causes. The throttle stops retrying once failures outrun a
// tenth of the successes by 50, so a fleet that is really down is not hammered.
constexpr char kRetry[] = R"(
  "methodConfig": [{
    "name": [{"service": "ganserve.v1.Generator"}],
    "retryPolicy": {
      "maxAttempts": 5,
      "initialBackoff": "0.05s",
      "maxBackoff": "1s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }],
  "retryThrottling": {"maxTokens": 100, "tokenRatio": 0.1}
)";

constexpr char kBalancing[] = R"(
  "loadBalancingConfig": [{"round_robin": {}}],
  "healthCheckConfig": {"serviceName": ""},)";

}  // namespace

std::string ServiceConfigJson(bool balance) {
  return absl::StrCat("{", balance ? kBalancing : "", kRetry, "}");
}

}  // namespace ganserve::client
