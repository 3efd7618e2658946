#include "server/metrics_http.h"

#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace ganserve {

absl::StatusOr<std::unique_ptr<MetricsHttp>> MetricsHttp::Create(const Metrics& metrics, int port) {
  std::unique_ptr<MetricsHttp> server(new MetricsHttp());
  server->http_ = std::make_unique<httplib::Server>();
  server->http_->Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.Render(), "text/plain; version=0.0.4");
  });
  if (port == 0) {
    server->port_ = server->http_->bind_to_any_port("0.0.0.0");
  } else {
    server->port_ = server->http_->bind_to_port("0.0.0.0", port) ? port : -1;
  }
  if (server->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen for metrics on port ", port));
  }
  server->thread_ = std::thread([http = server->http_.get()] { http->listen_after_bind(); });
  return server;
}

MetricsHttp::~MetricsHttp() {
  http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ganserve
