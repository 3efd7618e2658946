#include "client/connection.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/service_config.h"
#include "engine/file_contents.h"
#include "engine/host_port.h"
#include "engine/status_macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace ganserve::client {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  std::optional<std::string> text = ReadFileContents(path);
  if (!text) return absl::NotFoundError(absl::StrCat("cannot read ", what, " file '", path, "'"));
  return *std::move(text);
}

// "host:port" or "[v6]:port" → one literal address "ip:port" / "[ip]:port".
absl::StatusOr<std::string> ResolveOne(const std::string& hostport, bool& is_v6) {
  GS_ASSIGN_OR_RETURN(const HostPort split, SplitHostPort(hostport));
  if (split.host.empty() || split.port.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad target '", hostport, "': expected host:port or [ipv6]:port"));
  }
  const std::string& host = split.host;
  const std::string& port = split.port;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0 || !found) {
    return absl::UnavailableError(absl::StrCat("cannot resolve '", host, "': ", gai_strerror(rc)));
  }
  // Prefer IPv4 so "localhost" means the same family in every list entry.
  const addrinfo* pick = found;
  for (const addrinfo* a = found; a; a = a->ai_next) {
    if (a->ai_family == AF_INET) {
      pick = a;
      break;
    }
  }
  char text[INET6_ADDRSTRLEN] = {};
  std::string address;
  if (pick->ai_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(pick->ai_addr)->sin_addr, text,
              sizeof text);
    address = absl::StrCat(text, ":", port);
    is_v6 = false;
  } else {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(pick->ai_addr)->sin6_addr, text,
              sizeof text);
    address = absl::StrCat("[", text, "]:", port);
    is_v6 = true;
  }
  freeaddrinfo(found);
  return address;
}

}  // namespace

absl::StatusOr<ResolvedTarget> ResolveTarget(const std::string& target) {
  if (target.empty()) return absl::InvalidArgumentError("--target is empty");
  if (target.find("://") != std::string::npos || absl::StartsWith(target, "ipv4:") ||
      absl::StartsWith(target, "ipv6:") || absl::StartsWith(target, "unix:")) {
    return ResolvedTarget{target, true};
  }
  std::vector<std::string> parts = absl::StrSplit(target, ',', absl::SkipWhitespace());
  if (parts.size() == 1) return ResolvedTarget{parts[0], false};
  std::vector<std::string> v4, v6;
  for (const std::string& part : parts) {
    bool is_v6 = false;
    GS_ASSIGN_OR_RETURN(std::string address,
                        ResolveOne(std::string(absl::StripAsciiWhitespace(part)), is_v6));
    (is_v6 ? v6 : v4).push_back(address);
  }
  if (!v4.empty() && !v6.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("targets '", target, "' mix IPv4 and IPv6 addresses; gRPC needs one family"));
  }
  return ResolvedTarget{
      absl::StrCat(v4.empty() ? "ipv6:" : "ipv4:", absl::StrJoin(v4.empty() ? v6 : v4, ",")), true};
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const ConnectionOptions& options) {
  auto connection = std::unique_ptr<Connection>(new Connection());
  GS_ASSIGN_OR_RETURN(connection->target_, ResolveTarget(options.target));
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together (mTLS needs both)");
  }
  if (!options.tls_ca.empty() || !options.tls_cert.empty()) {
    grpc::SslCredentialsOptions ssl;
    if (!options.tls_ca.empty()) {
      GS_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadFile(options.tls_ca, "--tls_ca"));
    }
    if (!options.tls_cert.empty()) {
      GS_ASSIGN_OR_RETURN(ssl.pem_cert_chain, ReadFile(options.tls_cert, "--tls_cert"));
      GS_ASSIGN_OR_RETURN(ssl.pem_private_key, ReadFile(options.tls_key, "--tls_key"));
    }
    connection->credentials_ = grpc::SslCredentials(ssl);
  } else {
    connection->credentials_ = grpc::InsecureChannelCredentials();
  }
  if (!options.token_file.empty()) {
    GS_ASSIGN_OR_RETURN(std::string token, ReadFile(options.token_file, "--token-file"));
    token = std::string(absl::StripAsciiWhitespace(token));
    if (token.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--token-file '", options.token_file, "' is empty"));
    }
    connection->authorization_ = absl::StrCat("Bearer ", token);
  }
  return connection;
}

std::shared_ptr<grpc::Channel> Connection::NewChannel(int index, bool check_health) const {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("ganctl.channel_index", index);
  args.SetMaxReceiveMessageSize(-1);
  args.SetServiceConfigJSON(ServiceConfigJson(target_.round_robin));
  if (!check_health) args.SetInt(GRPC_ARG_INHIBIT_HEALTH_CHECKING, 1);
  // A replica back from a restart is reconnected within about two seconds
  // (gRPC's default backoff grows to two minutes while it is down).
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  // Finds a replica that vanished without closing its connections (node loss);
  // ganserve allows pings every 10 s (--min_client_ping_interval_s).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  return grpc::CreateCustomChannel(target_.uri, credentials_, args);
}

void Connection::Prepare(grpc::ClientContext& context) const {
  if (!authorization_.empty()) context.AddMetadata("authorization", authorization_);
}

}  // namespace ganserve::client
