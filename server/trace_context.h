// W3C Trace Context (https://www.w3.org/TR/trace-context/): the
// `traceparent` a caller sends is continued by the call (same trace id, a
// new span id for this server's part), and a call without a valid one starts
// a new trace, so every access-log line and every answer carries a trace id.
// Protocol-neutral: gRPC passes the metadata value, HTTP the header.
#ifndef GANSERVE_SERVER_TRACE_CONTEXT_H_
#define GANSERVE_SERVER_TRACE_CONTEXT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace ganserve {

struct TraceContext {
  std::string trace_id;   // 32 lowercase hex digits, not all zero
  std::string parent_id;  // 16 hex: the caller's span; empty when the trace starts here
  std::string span_id;    // 16 hex: this call's span
  uint8_t flags = 0;      // bit 0: the caller sampled this trace

  bool sampled() const { return (flags & 1) != 0; }
  // "00-<trace_id>-<span_id>-<flags>": returned to the caller, passed downstream.
  std::string Traceparent() const;
};

// The fields of a valid `traceparent` value (version 00, or a later version
// read as 00 as the spec asks); nullopt for anything malformed.
struct ParsedTraceparent {
  std::string trace_id, parent_id;
  uint8_t flags = 0;
};
std::optional<ParsedTraceparent> ParseTraceparent(absl::string_view value);

// Continues the caller's trace, or starts one when `traceparent` is absent or invalid.
TraceContext ContinueTrace(std::optional<absl::string_view> traceparent);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_TRACE_CONTEXT_H_
