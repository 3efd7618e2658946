#include "server/call_gate.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "server/status_map.h"

namespace ganserve {

bool BearerTokenMatches(absl::string_view header, absl::string_view token) {
  constexpr absl::string_view kScheme = "bearer ";
  if (header.size() < kScheme.size() ||
      !absl::EqualsIgnoreCase(header.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  const absl::string_view given = absl::StripLeadingAsciiWhitespace(header.substr(kScheme.size()));
  // Every byte of the expected token is compared whatever the given one holds.
  unsigned char differ = given.size() == token.size() ? 0 : 1;
  for (size_t i = 0; i < token.size(); ++i) {
    const unsigned char g = i < given.size() ? given[i] : 0;
    differ |= g ^ static_cast<unsigned char>(token[i]);
  }
  return differ == 0;
}

bool CallGate::Authorized(std::optional<absl::string_view> authorization) const {
  return auth_token_.empty() ||
         (authorization.has_value() && BearerTokenMatches(*authorization, auth_token_));
}

grpc::Status CallGate::Check(std::optional<absl::string_view> authorization) const {
  if (draining_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");
  if (!Authorized(authorization)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, kTokenExpected);
  }
  return grpc::Status::OK;
}

namespace {

std::optional<absl::string_view> Metadata(const grpc::CallbackServerContext& context,
                                          const char* key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

}  // namespace

CallGate::Call::Call(CallGate& gate, const grpc::CallbackServerContext& context, std::string method)
    : Call(gate, Metadata(context, "authorization")) {
  method_ = std::move(method);
  peer_ = context.peer();
  SetTraceparent(Metadata(context, "traceparent"));
}

CallGate::Call::Call(CallGate& gate, std::optional<absl::string_view> authorization)
    : gate_(gate), start_(std::chrono::steady_clock::now()), trace_(ContinueTrace(std::nullopt)) {
  ++gate_.in_flight_;
  ++gate_.arrived_;
  gate_.metrics_.AddInFlightCalls(1);
  admission_ = gate_.Check(authorization);
}

CallGate::Call::~Call() {
  --gate_.in_flight_;
  gate_.metrics_.AddInFlightCalls(-1);
}

std::string CallGate::Call::ServerTiming() const {
  return absl::StrFormat("queue;dur=%.3f, compute;dur=%.3f, encode;dur=%.3f",
                         timings_.queue_seconds * 1000, timings_.compute_seconds * 1000,
                         timings_.encode_seconds * 1000);
}

void CallGate::Call::Record(const std::string& model, const grpc::Status& status) {
  // Only names of served models become labels, so clients cannot grow the series.
  const std::string label = model.empty() ? "-" : model;
  const std::string code = GrpcCodeName(status.error_code());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  gate_.metrics_.CountRequest(label, code);
  gate_.metrics_.ObserveRequestSeconds(label, seconds);
  if (gate_.access_log_ != nullptr) {
    gate_.access_log_->Write({std::chrono::system_clock::now(), method_, model, code,
                              status.ok() ? images_ : 0, timings_, seconds, peer_, trace_.trace_id,
                              trace_.sampled()});
  }
}

}  // namespace ganserve
