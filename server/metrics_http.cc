#include "server/metrics_http.h"

#include "engine/status_macros.h"

namespace ganserve {

absl::StatusOr<std::unique_ptr<MetricsHttp>> MetricsHttp::Create(const Metrics& metrics,
                                                                 const std::string& host,
                                                                 int port) {
  std::unique_ptr<MetricsHttp> server(new MetricsHttp());
  HttpFrontOptions options;
  options.name = "metrics";
  options.host = host;
  options.port = port;
  options.threads = 1;
  options.max_body_bytes = 0;
  GS_ASSIGN_OR_RETURN(server->front_,
                      HttpFront::Create(options, [&metrics](HttpRequest request, HttpReply reply) {
                        if (request.path != "/metrics") {
                          return reply(JsonError(404, "only /metrics is served on this port"));
                        }
                        if (request.method != "GET" && request.method != "HEAD") {
                          HttpResponse refusal = JsonError(405, "/metrics takes GET");
                          refusal.headers.push_back({"Allow", "GET, HEAD"});
                          return reply(std::move(refusal));
                        }
                        HttpResponse response;
                        response.content_type = "text/plain; version=0.0.4";
                        response.body = metrics.Render();
                        reply(std::move(response));
                      }));
  return server;
}

}  // namespace ganserve
