// One HTTP request through the CallGate, as gated_reactors.h is for gRPC:
// refused while draining or without the bearer token, counted in flight
// until it is answered, its outcome recorded in the metrics and the access
// log, and answered with `traceparent` and `Server-Timing` headers.
#ifndef GANSERVE_SERVER_HTTP_CALL_H_
#define GANSERVE_SERVER_HTTP_CALL_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "server/call_gate.h"
#include "server/generation_run.h"
#include "server/http_front.h"

namespace ganserve {

class HttpCall {
 public:
  // Shared: the reply may come from the batcher's completion on another thread.
  static std::shared_ptr<HttpCall> Open(CallGate& gate, const HttpRequest& request,
                                        HttpReply reply);

  // Whether the gate let the call in; if not, the refusal is already sent.
  bool Admitted();
  // The run computing the answer, whose timings the answer reports.
  void Track(std::shared_ptr<GenerationRun> run);
  // Answers with `response` (2xx or 304), recorded as OK against `model`
  // with `images` computed.
  void Finish(const std::string& model, HttpResponse response, int64_t images = 0);
  // Answers with the JSON error for `status` (and Retry-After for a refusal).
  void Fail(const std::string& model, const absl::Status& status);

 private:
  HttpCall(CallGate& gate, std::optional<absl::string_view> authorization, HttpReply reply)
      : call_(gate, authorization), reply_(std::move(reply)) {}

  void Answer(const std::string& model, const grpc::Status& outcome, int64_t images,
              HttpResponse response);

  CallGate::Call call_;
  HttpReply reply_;
  std::mutex mu_;  // Track and the answer may run on different threads
  std::shared_ptr<GenerationRun> run_;
  bool answered_ = false;
};

// The JSON error body for `status` with its HTTP status code.
HttpResponse ErrorFor(const absl::Status& status);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_HTTP_CALL_H_
