// The one step every Generator RPC passes first: refuses new calls while
// draining and calls without the bearer token, counts the call in flight,
// and records its outcome in the metrics when it ends. Reactors get it from
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
#include "server/metrics.h"

namespace ganserve {

class CallGate {
 public:
  // A non-empty `auth_token` requires "authorization: Bearer <token>".
  CallGate(Metrics& metrics, std::string auth_token)
      : metrics_(metrics), auth_token_(std::move(auth_token)) {}

  // New calls get UNAVAILABLE from now on; calls in flight continue.
  void StartDraining() { draining_ = true; }
  bool draining() const { return draining_; }
  int64_t in_flight() const { return in_flight_; }
  // Calls that reached the gate since the server started, admitted or not.
  int64_t arrived() const { return arrived_; }

  // One call through the gate: in flight from construction to destruction.
  class Call {
   public:
    Call(CallGate& gate, const grpc::CallbackServerContext& context);
    // For protocols other than gRPC: the "authorization" header, if sent.
    Call(CallGate& gate, std::optional<absl::string_view> authorization);
    ~Call() { --gate_.in_flight_; }
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;

    // OK, or why the call may not proceed (draining, unauthenticated).
    const grpc::Status& admission() const { return admission_; }
    // Records the outcome against `model` (empty: no model resolved).
    void Record(const std::string& model, const grpc::Status& status);

   private:
    CallGate& gate_;
    std::chrono::steady_clock::time_point start_;
    grpc::Status admission_;
  };

 private:
  grpc::Status Check(std::optional<absl::string_view> authorization) const;

  Metrics& metrics_;
  const std::string auth_token_;
  std::atomic<bool> draining_{false};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> arrived_{0};
};

// Whether `header` is "Bearer <token>" (scheme case-insensitive, RFC 7235),
// comparing the token in time independent of where it differs.
bool BearerTokenMatches(absl::string_view header, absl::string_view token);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_CALL_GATE_H_
