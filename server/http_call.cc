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
  std::shared_ptr<HttpCall> call(new HttpCall(gate, authorization, std::move(reply)));
  constexpr size_t kLoggedPathBytes = 256;
  call->call_.set_method(absl::StrCat(request.method, " ",
                                      absl::string_view(request.path).substr(0, kLoggedPathBytes)));
  call->call_.set_peer(request.peer);
  std::optional<std::string> traceparent = request.Header("traceparent");
  if (traceparent) call->call_.SetTraceparent(*traceparent);
  return call;
}

void HttpCall::Track(std::shared_ptr<GenerationRun> run) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!answered_) run_ = std::move(run);
}

bool HttpCall::Admitted() {
  if (call_.admission().ok()) return true;
  const grpc::Status& refusal = call_.admission();
  Fail("",
       absl::Status(static_cast<absl::StatusCode>(refusal.error_code()), refusal.error_message()));
  return false;
}

void HttpCall::Finish(const std::string& model, HttpResponse response, int64_t images) {
  Answer(model, grpc::Status::OK, images, std::move(response));
}

void HttpCall::Fail(const std::string& model, const absl::Status& status) {
  Answer(model, ToGrpcStatus(status), 0, ErrorFor(status));
}

void HttpCall::Answer(const std::string& model, const grpc::Status& outcome, int64_t images,
                      HttpResponse response) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    call_.SetWork(images, run_ ? run_->timings() : CallTimings{});
    answered_ = true;
    run_.reset();  // the run's sink holds this call: break the cycle
  }
  response.headers.push_back({"traceparent", call_.trace().Traceparent()});
  response.headers.push_back({"Server-Timing", call_.ServerTiming()});
  call_.Record(model, outcome);
  reply_(std::move(response));
}

}  // namespace ganserve
