#include "server/trace_context.h"

#include <random>

#include "absl/strings/str_format.h"

namespace ganserve {
namespace {

bool IsLowerHex(absl::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(absl::string_view text) {
  return text.find_first_not_of('0') == absl::string_view::npos;
}

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

// `digits` random lowercase hex digits, never all zero (an invalid id).
std::string RandomHex(int digits) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::string hex;
  do {
    hex.clear();
    while (static_cast<int>(hex.size()) < digits) absl::StrAppendFormat(&hex, "%016x", random());
    hex.resize(digits);
  } while (AllZero(hex));
  return hex;
}

}  // namespace

std::string TraceContext::Traceparent() const {
  return absl::StrFormat("00-%s-%s-%02x", trace_id, span_id, flags);
}

std::optional<ParsedTraceparent> ParseTraceparent(absl::string_view value) {
  // version "-" trace-id "-" parent-id "-" flags: 2 + 1 + 32 + 1 + 16 + 1 + 2.
  constexpr size_t kLength = 55;
  if (value.size() < kLength || value[2] != '-' || value[35] != '-' || value[52] != '-') {
    return std::nullopt;
  }
  const absl::string_view version = value.substr(0, 2);
  const absl::string_view trace_id = value.substr(3, 32);
  const absl::string_view parent_id = value.substr(36, 16);
  const absl::string_view flags = value.substr(53, 2);
  if (!IsLowerHex(version) || version == "ff" || !IsLowerHex(trace_id) || !IsLowerHex(parent_id) ||
      !IsLowerHex(flags) || AllZero(trace_id) || AllZero(parent_id)) {
    return std::nullopt;
  }
  // Version 00 is exactly 55 characters; later versions may append "-…".
  if (value.size() > kLength && (version == "00" || value[kLength] != '-')) return std::nullopt;
  ParsedTraceparent parsed{std::string(trace_id), std::string(parent_id),
                           static_cast<uint8_t>(HexValue(flags[0]) * 16 + HexValue(flags[1]))};
  return parsed;
}

TraceContext ContinueTrace(std::optional<absl::string_view> traceparent) {
  TraceContext trace;
  trace.span_id = RandomHex(16);
  std::optional<ParsedTraceparent> parsed;
  if (traceparent) parsed = ParseTraceparent(*traceparent);
  if (parsed) {
    trace.trace_id = std::move(parsed->trace_id);
    trace.parent_id = std::move(parsed->parent_id);
    trace.flags = parsed->flags & 1;  // only the sampled flag is defined in version 00
  } else {
    trace.trace_id = RandomHex(32);
  }
  return trace;
}

}  // namespace ganserve
