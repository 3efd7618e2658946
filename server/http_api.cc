#include "server/http_api.h"

#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "server/http_call.h"

namespace ganserve {
namespace {

using Json = nlohmann::json;

HttpResponse JsonBody(const Json& body, int status = 200) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

HttpResponse MethodNotAllowed(const std::string& allow) {
  HttpResponse response = JsonError(405, "this path takes " + allow);
  response.headers.push_back({"Allow", allow});
  return response;
}

bool IsRead(const HttpRequest& request) {
  return request.method == "GET" || request.method == "HEAD";
}

// The protocol's health answers: 200 true, 4xx false.
HttpResponse Verdict(const char* field, bool yes) {
  return JsonBody({{field, yes}}, yes ? 200 : 400);
}

}  // namespace

void HttpApi::Handle(HttpRequest request, HttpReply reply) {
  std::vector<std::string> parts = absl::StrSplit(request.path, '/', absl::SkipEmpty());
  if (parts.size() >= 2 && parts[0] == "v2" &&
      (parts[1] == "health" ||
       (parts.size() >= 4 && parts[1] == "models" && parts.back() == "ready"))) {
    if (!IsRead(request)) return reply(MethodNotAllowed("GET, HEAD"));
    return Health(parts, reply);
  }
  reply(JsonError(404, "no such path: " + request.path));
}

void HttpApi::Health(const std::vector<std::string>& parts, HttpReply& reply) {
  // Like grpc.health.v1, health is open to callers without a token.
  if (parts[1] == "health" && parts.size() == 3 && parts[2] == "live") {
    return reply(Verdict("live", true));
  }
  if (parts[1] == "health" && parts.size() == 3 && parts[2] == "ready") {
    return reply(Verdict("ready", !deps_.gate.draining() && !deps_.registry.List().empty()));
  }
  // v2/models/{m}[/versions/{v}]/ready
  if (parts[1] == "models" &&
      (parts.size() == 4 || (parts.size() == 6 && parts[3] == "versions"))) {
    absl::StatusOr<std::shared_ptr<Servable>> servable = deps_.registry.Get(parts[2]);
    if (!servable.ok() || parts[2].empty()) return reply(ErrorFor(servable.status()));
    if (parts.size() == 6 && parts[4] != (*servable)->version) {
      return reply(JsonError(404, "model " + parts[2] + " serves version " + (*servable)->version +
                                      ", not " + parts[4]));
    }
    return reply(Verdict("ready", !deps_.gate.draining()));
  }
  reply(JsonError(404, "no such health path"));
}

}  // namespace ganserve
