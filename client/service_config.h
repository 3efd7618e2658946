// The gRPC service config ganctl runs every channel with, so a fleet can lose
// a replica without failing calls: Generator calls are retried on
// UNAVAILABLE (every Generator method is idempotent: the same request gives
// the same images), and over several targets round_robin skips replicas
// that grpc.health.v1 reports not serving (a draining one) before they close.
// The config itself is client/service_config.json, which the Python client
// reads too; README.md explains each part.
#ifndef GANSERVE_CLIENT_SERVICE_CONFIG_H_
#define GANSERVE_CLIENT_SERVICE_CONFIG_H_

#include <string>

namespace ganserve::client {

// With `balance`: round_robin with client-side health checking plus the
// retry policy (service_config.json, as README.md shows it); without: the retry policy alone,
// for a single address that gRPC's default pick_first connects to.
std::string ServiceConfigJson(bool balance);

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_SERVICE_CONFIG_H_
