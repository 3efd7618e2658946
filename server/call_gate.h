// The one step every Generator RPC passes first: refuses new calls while
// draining and calls without the bearer token, counts the call in flight,
// continues the caller's W3C trace, and records its outcome in the metrics
// and the access log when it ends. Reactors get it from
// their base classes (gated_reactors.h), so a new RPC cannot skip it; the
// HTTP front passes its requests through the same gate.
#ifndef GANSERVE_SERVER_CALL_GATE_H_
#define GANSERVE_SERVER_CALL_GATE_H_

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "server/access_log.h"
#include "server/call_timings.h"
#include "server/metrics.h"
#include "server/trace_context.h"

namespace ganserve {

// Why a call without the right token is refused (UNAUTHENTICATED, 401).
inline constexpr char kTokenExpected[] =
    "expected \"authorization: Bearer <token>\" with a valid token";

class CallGate {
 public:
  // A non-empty `auth_token` requires "authorization: Bearer <token>";
  // `access_log` (may be null: none) must outlive the gate.
  CallGate(Metrics& metrics, std::string auth_token, AccessLog* access_log = nullptr)
      : metrics_(metrics), auth_token_(std::move(auth_token)), access_log_(access_log) {}

  // Whether `authorization` (the header, if sent) carries the bearer token,
  // or no token is required; for open paths that still must not say which
  // models are served.
  bool Authorized(std::optional<absl::string_view> authorization) const;

  // New calls get UNAVAILABLE from now on; calls in flight continue.
  void StartDraining() { draining_ = true; }
  bool draining() const { return draining_; }
  int64_t in_flight() const { return in_flight_; }
  // Calls that reached the gate since the server started, admitted or not.
  int64_t arrived() const { return arrived_; }

  // One call through the gate: in flight from construction to destruction.
  class Call {
   public:
    // `method` names the RPC in the access log ("Generate").
    Call(CallGate& gate, const grpc::CallbackServerContext& context, std::string method = "");
    // For protocols other than gRPC: the "authorization" header, if sent.
    // Such a front sets the method, peer and traceparent header itself.
    Call(CallGate& gate, std::optional<absl::string_view> authorization);
    ~Call();
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;

    void set_method(std::string method) { method_ = std::move(method); }
    void set_peer(std::string peer) { peer_ = std::move(peer); }
    // Continues the caller's trace from its `traceparent` (header or metadata).
    void SetTraceparent(std::optional<absl::string_view> traceparent) {
      trace_ = ContinueTrace(traceparent);
    }
    // The trace this call belongs to; its Traceparent() goes back to the caller.
    const TraceContext& trace() const { return trace_; }

    // What the call computed, for the access log and ServerTiming().
    void SetWork(int64_t images, const CallTimings& timings) {
      images_ = images;
      timings_ = timings;
    }
    // "queue;dur=1.200, compute;dur=3.400, encode;dur=0.500" (milliseconds,
    // the Server-Timing header's syntax), sent as the `server-timing` trailer.
    std::string ServerTiming() const;

    // OK, or why the call may not proceed (draining, unauthenticated).
    const grpc::Status& admission() const { return admission_; }
    // Records the outcome against `model` (empty: no model resolved).
    void Record(const std::string& model, const grpc::Status& status);

   private:
    CallGate& gate_;
    std::chrono::steady_clock::time_point start_;
    grpc::Status admission_;
    std::string method_, peer_;
    TraceContext trace_;
    int64_t images_ = 0;
    CallTimings timings_;
  };

 private:
  grpc::Status Check(std::optional<absl::string_view> authorization) const;

  Metrics& metrics_;
  const std::string auth_token_;
  AccessLog* const access_log_;
  std::atomic<bool> draining_{false};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> arrived_{0};
};

// Whether `header` is "Bearer <token>" (scheme case-insensitive, RFC 7235),
// comparing the token in time independent of where it differs.
bool BearerTokenMatches(absl::string_view header, absl::string_view token);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_CALL_GATE_H_
