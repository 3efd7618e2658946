// How ganserve's gRPC connections live in a fleet: a bounded age, so clients
// behind a Service reconnect and reach replicas that started after them;
// keepalive rules clients can rely on; a cap on streams per connection; and
// a port of its own (no SO_REUSEPORT), so a second server cannot share it.
#ifndef GANSERVE_SERVER_CONNECTION_POLICY_H_
#define GANSERVE_SERVER_CONNECTION_POLICY_H_

#include <chrono>
#include <string>

#include "grpcpp/server_builder.h"

namespace ganserve {

struct ConnectionPolicy {
  // After this age the server sends GOAWAY (gRPC adds ±10% jitter); 0: never.
  std::chrono::milliseconds max_connection_age{std::chrono::seconds(60)};
  // Calls in flight at GOAWAY get this long before the connection closes.
  std::chrono::milliseconds max_connection_age_grace{std::chrono::seconds(30)};
  // Clients may ping this often, also without calls; more often is a strike.
  std::chrono::milliseconds min_client_ping_interval{std::chrono::seconds(10)};
  // The server pings a connection idle this long and drops it if no answer
  // comes within the timeout, so a vanished client frees its streams.
  std::chrono::milliseconds keepalive_time{std::chrono::seconds(60)};
  std::chrono::milliseconds keepalive_timeout{std::chrono::seconds(20)};
  // Streams one connection may have open at once; 0: gRPC's (unbounded).
  int max_concurrent_streams = 1000;
};

void ApplyConnectionPolicy(const ConnectionPolicy& policy, grpc::ServerBuilder& builder);

// Why binding `address` ("host:port", "[v6]:port") fails, as strerror text
// ("Address already in use"); empty when a bind succeeds or the address is
// not a TCP one.
std::string WhyCannotBind(const std::string& address);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_CONNECTION_POLICY_H_
