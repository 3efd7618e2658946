// One HTTP request through the CallGate, as gated_reactors.h is for gRPC:
// refused while draining or without the bearer token, counted in flight
// until it is answered, its outcome recorded in the metrics.
#ifndef GANSERVE_SERVER_HTTP_CALL_H_
#define GANSERVE_SERVER_HTTP_CALL_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "server/call_gate.h"
#include "server/http_front.h"

namespace ganserve {

class HttpCall {
 public:
  // Shared: the reply may come from the batcher's completion on another thread.
  static std::shared_ptr<HttpCall> Open(CallGate& gate, const HttpRequest& request,
                                        HttpReply reply);

  // Whether the gate let the call in; if not, the refusal is already sent.
  bool Admitted();
  // Answers with `response` (2xx or 304), recorded as OK against `model`.
  void Finish(const std::string& model, HttpResponse response);
  // Answers with the JSON error for `status` (and Retry-After for a refusal).
  void Fail(const std::string& model, const absl::Status& status);

 private:
  HttpCall(CallGate& gate, std::optional<absl::string_view> authorization, HttpReply reply)
      : call_(gate, authorization), reply_(std::move(reply)) {}

  CallGate::Call call_;
  HttpReply reply_;
};

// The JSON error body for `status` with its HTTP status code.
HttpResponse ErrorFor(const absl::Status& status);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_HTTP_CALL_H_
