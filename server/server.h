// The whole ganserve process minus flags: model registry, Generator and
// Open Inference Protocol services behind one CallGate,
// health, reflection (off when a token is required: it cannot check one),
// TLS, the HTTP API and the metrics endpoint, with a bounded drain.
#ifndef GANSERVE_SERVER_SERVER_H_
#define GANSERVE_SERVER_SERVER_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/server.h"
#include "server/access_log.h"
#include "server/call_gate.h"
#include "server/connection_policy.h"
#include "server/generator_service.h"
#include "server/http_api.h"
#include "server/http_front.h"
#include "server/inference_service.h"
#include "server/metrics.h"
#include "server/metrics_http.h"
#include "server/model_registry.h"
#include "server/response_cache.h"
#include "server/work_pool.h"

namespace ganserve {

struct TlsOptions {
  std::string cert_path;       // PEM; empty: plaintext
  std::string key_path;        // PEM
  std::string client_ca_path;  // PEM; non-empty: require and verify client certificates (mTLS)
};

struct ServerOptions {
  std::string address = "0.0.0.0:50051";  // port 0 picks a free port
  ModelRegistryOptions registry;
  GeneratorServiceOptions service;
  TlsOptions tls;
  ConnectionPolicy connections;
  int max_receive_message_bytes = 16 << 20;
  int metrics_port = -1;     // -1: no metrics endpoint; 0: pick a free port
  std::string metrics_host;  // empty: the host of `address`
  int http_port = -1;        // -1: no HTTP API; 0: pick a free port
  std::string http_host;     // empty: the host of `address`
  size_t cache_bytes = 0;    // the response cache for seeded images; 0: none
  int encode_threads = 0;    // threads encoding images; 0: one per core
};

class GanServer {
 public:
  static absl::StatusOr<std::unique_ptr<GanServer>> Create(ServerOptions options);
  ~GanServer();

  int port() const { return port_; }
  int metrics_port() const { return metrics_http_ ? metrics_http_->port() : -1; }
  int http_port() const { return http_front_ ? http_front_->port() : -1; }
  ModelRegistry& registry() { return *registry_; }
  Metrics& metrics() { return metrics_; }
  // Calls of either service between their arrival and their final status.
  int64_t in_flight() const { return gate_->in_flight(); }

  // Health → NOT_SERVING, new calls → UNAVAILABLE, waits for in-flight calls
  // (at most `timeout`), then stops the server. Returns whether all finished.
  bool Drain(std::chrono::milliseconds timeout);

 private:
  GanServer() = default;

  Metrics metrics_;
  // Outlives the registry: batchers draining at shutdown still post to it.
  std::unique_ptr<WorkPool> pool_;
  std::unique_ptr<ResponseCache> cache_;
  std::unique_ptr<ModelRegistry> registry_;
  GenerationLimits limits_;
  std::unique_ptr<AccessLog> access_log_;  // outlives the gate that writes to it
  std::unique_ptr<CallGate> gate_;
  std::unique_ptr<GeneratorService> service_;
  std::unique_ptr<InferenceService> inference_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<MetricsHttp> metrics_http_;
  std::unique_ptr<HttpApi> http_api_;
  // Declared last: destroyed first, while what its pending replies use is alive.
  std::unique_ptr<HttpFront> http_front_;
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_SERVER_H_
