// The base of the gRPC reactors of both services (ganserve.v1.Generator and
// inference.GRPCInferenceService, bar its open health RPCs; HTTP calls get
// the same from http_call.h). It passes the call through
// the CallGate when constructed and records the outcome when the call
// finishes, so an RPC built on it cannot forget auth, draining or metrics.
// Every answer carries the call's `traceparent` and `server-timing` trailers.
// A refusal (admission.h) is answered with gRPC's retry hint trailer.
#ifndef GANSERVE_SERVER_GATED_REACTORS_H_
#define GANSERVE_SERVER_GATED_REACTORS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "server/call_gate.h"
#include "server/proto_convert.h"
#include "server/status_map.h"

namespace ganserve {

inline constexpr char kRetryPushbackTrailer[] = "grpc-retry-pushback-ms";

// Adds the retry hint of a refusal made by Admit, if `status` carries one.
void AddRetryPushback(grpc::CallbackServerContext& context, const absl::Status& status);

// Reactor: grpc::ServerUnaryReactor or grpc::ServerWriteReactor<ByteBuffer>.
template <class Reactor>
class Gated : public Reactor {
 protected:
  // `method` names the RPC in the access log.
  Gated(CallGate& gate, grpc::CallbackServerContext* context, std::string method = "")
      : context_(context), call_(gate, *context, std::move(method)) {}

  // Whether the gate let the call in; if not, the refusal is already sent.
  bool Admitted() {
    if (call_.admission().ok()) return true;
    Reply("", call_.admission());
    return false;
  }
  // Parses `bytes` into `message`, or answers INVALID_ARGUMENT and says no.
  bool Parsed(const grpc::ByteBuffer& bytes, google::protobuf::Message& message) {
    absl::Status parsed = ParseMessage(bytes, message);
    if (!parsed.ok()) Reply("", parsed);
    return parsed.ok();
  }
  // Ends the call with `status` (a unary response must be set on OK).
  void Reply(const std::string& model, const absl::Status& status) {
    AddRetryPushback(*context_, status);
    Reply(model, ToGrpcStatus(status));
  }
  void Reply(const std::string& model, const grpc::Status& status) {
    context_->AddTrailingMetadata("traceparent", call_.trace().Traceparent());
    context_->AddTrailingMetadata("server-timing", call_.ServerTiming());
    call_.Record(model, status);
    this->Finish(status);
  }
  // What the call computed (before Reply), for the access log and server-timing.
  void NoteWork(int64_t images, const CallTimings& timings) { call_.SetWork(images, timings); }

  grpc::CallbackServerContext* const context_;

 private:
  void OnDone() override { delete this; }
  CallGate::Call call_;
};

using GatedUnaryReactor = Gated<grpc::ServerUnaryReactor>;
using GatedWriteReactor = Gated<grpc::ServerWriteReactor<grpc::ByteBuffer>>;

}  // namespace ganserve

#endif  // GANSERVE_SERVER_GATED_REACTORS_H_
