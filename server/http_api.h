// What --http_port answers: the Open Inference Protocol's REST health,
// metadata and infer paths, images by URL, and the playground page. Every
// path but health and the page passes the CallGate like a gRPC call, and
// generation goes through the same batcher.
#ifndef GANSERVE_SERVER_HTTP_API_H_
#define GANSERVE_SERVER_HTTP_API_H_

#include <string>
#include <vector>

#include "server/generator_service.h"
#include "server/http_front.h"

namespace ganserve {

class HttpApi {
 public:
  explicit HttpApi(ServiceDeps deps) : deps_(deps) {}

  void Handle(HttpRequest request, HttpReply reply);

 private:
  void Health(const HttpRequest& request, const std::vector<std::string>& parts, HttpReply& reply);
  // /v2, /v2/models/{m}[/versions/{v}] and POST .../infer
  void Inference(const HttpRequest& request, const std::vector<std::string>& parts,
                 HttpReply reply);
  // /v1/models/{m}/images/{seed}.png, grid.png, interpolate.png
  void Images(const HttpRequest& request, const std::vector<std::string>& parts, HttpReply reply);

  ServiceDeps deps_;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_HTTP_API_H_
