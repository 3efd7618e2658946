// The base of the Generator service's reactors. It passes the call through
// the CallGate when constructed and records the outcome when the call
// finishes, so an RPC built on it cannot forget auth, draining or metrics.
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
  Gated(CallGate& gate, grpc::CallbackServerContext* context)
      : context_(context), call_(gate, *context) {}

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
    call_.Record(model, status);
    this->Finish(status);
  }

  grpc::CallbackServerContext* const context_;

 private:
  void OnDone() override { delete this; }
  CallGate::Call call_;
};

using GatedUnaryReactor = Gated<grpc::ServerUnaryReactor>;
using GatedWriteReactor = Gated<grpc::ServerWriteReactor<grpc::ByteBuffer>>;

}  // namespace ganserve

#endif  // GANSERVE_SERVER_GATED_REACTORS_H_
