// How ganctl reaches a server: the target list (one address, several
// addresses balanced round-robin, or a resolver URI passed through), TLS or
// mTLS credentials, and the bearer token sent with every call.
#ifndef GANSERVE_CLIENT_CONNECTION_H_
#define GANSERVE_CLIENT_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"

namespace ganserve::client {

struct ConnectionOptions {
  // "host:port", "a:1,b:2" (round-robin over all), or a URI with a scheme
  // ("dns:///svc:50051", "ipv4:…", "unix:…") used as given with round-robin.
  std::string target = "localhost:50051";
  std::string tls_ca;    // PEM file; any TLS flag turns TLS on
  std::string tls_cert;  // client certificate for mTLS
  std::string tls_key;
  std::string token_file;  // its trimmed content is sent as "authorization: Bearer …"
};

// The gRPC target URI and whether to balance round-robin, from the
// user's target string. Host names in a list are resolved here because
// gRPC's ipv4:/ipv6: schemes take only literal addresses.
struct ResolvedTarget {
  std::string uri;
  bool round_robin = false;
};
absl::StatusOr<ResolvedTarget> ResolveTarget(const std::string& target);

class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const ConnectionOptions& options);

  // A channel with its own TCP connections (index makes it distinct, so
  // --connections N really opens N connections), running the service config
  // of service_config.h. `check_health` false: round_robin picks replicas
  // whatever their health says (for asking a replica about its health).
  std::shared_ptr<grpc::Channel> NewChannel(int index, bool check_health = true) const;
  // Adds the per-call metadata (the bearer token) to a fresh context.
  void Prepare(grpc::ClientContext& context) const;
  const ResolvedTarget& target() const { return target_; }
  // "Bearer <token>", or empty without --token; for the HTTP requests of bench.
  const std::string& authorization() const { return authorization_; }

 private:
  Connection() = default;

  ResolvedTarget target_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::string authorization_;  // empty: no token
};

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_CONNECTION_H_
