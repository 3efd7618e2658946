// Serves Metrics::Render() at GET /metrics over plain HTTP without a token,
// on an HttpFront of its own (the kind --http_port runs on), so idle
// scrapers' connections cannot blind it.
#ifndef GANSERVE_SERVER_METRICS_HTTP_H_
#define GANSERVE_SERVER_METRICS_HTTP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/http_front.h"
#include "server/metrics.h"

namespace ganserve {

class MetricsHttp {
 public:
  // port 0 picks a free port; `host` is the address to bind ("0.0.0.0": all).
  static absl::StatusOr<std::unique_ptr<MetricsHttp>> Create(const Metrics& metrics,
                                                             const std::string& host, int port);
  int port() const { return front_->port(); }

 private:
  MetricsHttp() = default;
  std::unique_ptr<HttpFront> front_;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_METRICS_HTTP_H_
