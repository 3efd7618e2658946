#include "server/http_call.h"

#include "absl/strings/str_cat.h"
#include "server/admission.h"
#include "server/status_map.h"

namespace ganserve {

HttpResponse ErrorFor(const absl::Status& status) {
  HttpResponse response = JsonError(HttpStatusCode(status.code()), std::string(status.message()));
  if (std::optional<int64_t> ms = RetryAfterMs(status)) {
    response.headers.push_back({"Retry-After", absl::StrCat((*ms + 999) / 1000)});
  }
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    response.headers.push_back({"WWW-Authenticate", "Bearer"});
  }
  return response;
}

std::shared_ptr<HttpCall> HttpCall::Open(CallGate& gate, const HttpRequest& request,
                                         HttpReply reply) {
  std::optional<std::string> header = request.Header("authorization");
  std::optional<absl::string_view> authorization;
  if (header) authorization = *header;
  return std::shared_ptr<HttpCall>(new HttpCall(gate, authorization, std::move(reply)));
}

bool HttpCall::Admitted() {
  if (call_.admission().ok()) return true;
  const grpc::Status& refusal = call_.admission();
  Fail("",
       absl::Status(static_cast<absl::StatusCode>(refusal.error_code()), refusal.error_message()));
  return false;
}

void HttpCall::Finish(const std::string& model, HttpResponse response) {
  call_.Record(model, grpc::Status::OK);
  reply_(std::move(response));
}

void HttpCall::Fail(const std::string& model, const absl::Status& status) {
  call_.Record(model, ToGrpcStatus(status));
  reply_(ErrorFor(status));
}

}  // namespace ganserve
