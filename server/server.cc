#include "server/server.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "engine/file_contents.h"
#include "engine/host_port.h"
#include "engine/status_macros.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/log.h"

namespace ganserve {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::optional<std::string> text = ReadFileContents(path);
  if (!text) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  return *std::move(text);
}

// The PEM texts of the TLS flags (all empty: plaintext), read once for gRPC and HTTP.
struct TlsPem {
  std::string cert, key, client_ca;
};

absl::StatusOr<TlsPem> ReadTls(const TlsOptions& tls) {
  if (tls.cert_path.empty() && tls.key_path.empty()) {
    if (!tls.client_ca_path.empty()) {
      return absl::InvalidArgumentError("--tls_client_ca needs --tls_cert and --tls_key");
    }
    return TlsPem{};
  }
  if (tls.cert_path.empty() || tls.key_path.empty()) {
    return absl::InvalidArgumentError("TLS needs both --tls_cert and --tls_key");
  }
  TlsPem pem;
  GS_ASSIGN_OR_RETURN(pem.key, ReadFile(tls.key_path));
  GS_ASSIGN_OR_RETURN(pem.cert, ReadFile(tls.cert_path));
  if (!tls.client_ca_path.empty()) {
    GS_ASSIGN_OR_RETURN(pem.client_ca, ReadFile(tls.client_ca_path));
  }
  return pem;
}

std::shared_ptr<grpc::ServerCredentials> Credentials(const TlsPem& pem) {
  if (pem.cert.empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({pem.key, pem.cert});
  if (!pem.client_ca.empty()) {
    ssl.pem_root_certs = pem.client_ca;
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

// Linking grpc++_reflection registers its plugin for every server the
// process builds; this option takes it out of one server's builder.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                  [](const auto& plugin) {
                                    return plugin->name() == "proto_server_reflection";
                                  }),
                   plugins->end());
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<GanServer>> GanServer::Create(ServerOptions options) {
  std::unique_ptr<GanServer> server(new GanServer());
  GS_ASSIGN_OR_RETURN(const TlsPem pem, ReadTls(options.tls));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  server->pool_ =
      std::make_unique<WorkPool>(options.encode_threads > 0 ? options.encode_threads : cores);
  // The health service exists only once the server is built; models loaded
  // before that are marked serving right after.
  GanServer* self = server.get();
  options.registry.metrics = &server->metrics_;
  options.registry.on_serving = [self](const std::string& name) {
    if (self->server_) self->server_->GetHealthCheckService()->SetServingStatus(name, true);
  };
  options.registry.on_removed = [self](const std::string& name) {
    if (self->server_) self->server_->GetHealthCheckService()->SetServingStatus(name, false);
  };
  GS_ASSIGN_OR_RETURN(server->registry_, ModelRegistry::Create(options.registry));
  server->limits_ = options.service.limits;
  server->access_log_ =
      std::make_unique<AccessLog>(options.service.access_log, options.service.access_log_out);
  server->gate_ = std::make_unique<CallGate>(server->metrics_, options.service.auth_token,
                                             server->access_log_.get());
  if (options.cache_bytes > 0) {
    server->cache_ = std::make_unique<ResponseCache>(options.cache_bytes);
  }
  const ServiceDeps deps{*server->registry_, server->metrics_, *server->pool_,
                         server->limits_,    *server->gate_,   server->cache_.get()};
  server->service_ = std::make_unique<GeneratorService>(deps);
  server->inference_ = std::make_unique<InferenceService>(deps);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.address, Credentials(pem), &server->port_);
  builder.RegisterService(server->service_.get());
  builder.RegisterService(server->inference_.get());
  // Reflection is a service of its own that the CallGate does not guard.
  if (!options.service.auth_token.empty()) builder.SetOption(std::make_unique<WithoutReflection>());
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  ApplyConnectionPolicy(options.connections, builder);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    const std::string why = WhyCannotBind(options.address);
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", options.address, why.empty() ? "" : absl::StrCat(": ", why),
        why.find("in use") != std::string::npos
            ? " (another process holds this port; ganserve never shares one)"
            : ""));
  }
  auto* health = server->server_->GetHealthCheckService();
  health->SetServingStatus(true);
  for (const auto& servable : server->registry_->List()) {
    health->SetServingStatus(servable->name, true);
  }
  // The HTTP ports bind where gRPC does unless told otherwise, so a server
  // kept to loopback does not open its metrics or images to the network.
  absl::StatusOr<HostPort> grpc_address = SplitHostPort(options.address);
  const std::string grpc_host = grpc_address.ok() ? grpc_address->host : "";
  if (options.metrics_port >= 0) {
    GS_ASSIGN_OR_RETURN(
        server->metrics_http_,
        MetricsHttp::Create(server->metrics_,
                            options.metrics_host.empty() ? grpc_host : options.metrics_host,
                            options.metrics_port));
  }
  if (options.http_port >= 0) {
    server->http_api_ = std::make_unique<HttpApi>(deps);
    HttpFrontOptions http;
    http.host = options.http_host.empty() ? grpc_host : options.http_host;
    http.port = options.http_port;
    http.tls_cert_pem = pem.cert;
    http.tls_key_pem = pem.key;
    http.tls_client_ca_pem = pem.client_ca;
    http.max_body_bytes = static_cast<size_t>(options.max_receive_message_bytes);
    GS_ASSIGN_OR_RETURN(server->http_front_,
                        HttpFront::Create(http, [api = server->http_api_.get()](HttpRequest request,
                                                                                HttpReply reply) {
                          api->Handle(std::move(request), std::move(reply));
                        }));
  }
  LogEvent(absl::StrCat("listening address=", options.address, " port=", server->port_,
                        " tls=", options.tls.cert_path.empty() ? "off" : "on", " metrics_port=",
                        server->metrics_port(), " http_port=", server->http_port()));
  return server;
}

namespace {

// Clients learn of the drain from health (NOT_SERVING) a round trip later and
// until then keep sending calls, which the gate refuses with UNAVAILABLE (they
// retry elsewhere). Shutting gRPC down while such calls still arrive races
// its GOAWAY: a call caught in that race ends CANCELLED, which no client
// retries. So wait for the calls in flight, then for a short quiet spell with
// no new arrivals, but never for long after the last call is done: a client
// that ignores health would otherwise hold the drain to its timeout.
void WaitUntilQuiet(const CallGate& gate, std::chrono::steady_clock::time_point deadline) {
  using std::chrono::steady_clock;
  constexpr auto kQuiet = std::chrono::milliseconds(250);
  constexpr auto kLongestLameDuck = std::chrono::seconds(2);
  int64_t arrived = gate.arrived();
  auto last_arrival = steady_clock::now();
  std::optional<steady_clock::time_point> idle_since;
  while (steady_clock::now() < deadline) {
    const auto now = steady_clock::now();
    if (const int64_t seen = gate.arrived(); seen != arrived) {
      arrived = seen;
      last_arrival = now;
    }
    if (gate.in_flight() > 0) {
      idle_since.reset();
    } else {
      if (!idle_since) idle_since = now;
      if (now - last_arrival >= kQuiet || now - *idle_since >= kLongestLameDuck) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

bool GanServer::Drain(std::chrono::milliseconds timeout) {
  if (stopped_) return true;
  stopped_ = true;
  LogEvent("draining");
  server_->GetHealthCheckService()->Shutdown();  // every status → NOT_SERVING
  gate_->StartDraining();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  WaitUntilQuiet(*gate_, deadline);
  const bool all_done = gate_->in_flight() == 0;
  http_front_.reset();
  // gRPC cancels (CANCELLED, not retried) what is still open at this deadline;
  // Shutdown returns once the last call is done, so the slack costs nothing.
  const auto left = std::max<std::chrono::steady_clock::duration>(
      deadline - std::chrono::steady_clock::now(), std::chrono::seconds(1));
  server_->Shutdown(std::chrono::system_clock::now() + left);
  server_->Wait();
  LogEvent(absl::StrCat("stopped all_in_flight_finished=", all_done ? "true" : "false"));
  return all_done;
}

GanServer::~GanServer() {
  http_front_.reset();  // waits for the replies it owes
  if (server_ && !stopped_) {
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
  }
  registry_.reset();  // stops the poller before the health service it reports to goes away
}

}  // namespace ganserve
