// Serves Metrics::Render() at GET /metrics over plain HTTP (cpp-httplib).
#ifndef GANSERVE_SERVER_METRICS_HTTP_H_
#define GANSERVE_SERVER_METRICS_HTTP_H_

#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "server/metrics.h"

namespace httplib {
class Server;
}

namespace ganserve {

class MetricsHttp {
 public:
  // port 0 picks a free port.
  static absl::StatusOr<std::unique_ptr<MetricsHttp>> Create(const Metrics& metrics, int port);
  ~MetricsHttp();
  int port() const { return port_; }

 private:
  MetricsHttp() = default;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_METRICS_HTTP_H_
