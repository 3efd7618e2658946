#include "server/access_log.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace ganserve {
namespace {

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      absl::StrAppend(&out, "\\", std::string(1, static_cast<char>(c)));
    } else if (c < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

double Ms(double seconds) { return seconds * 1000; }

// Answers a sample stands for: successes, and the refusals of an overload,
// which come thousands a second exactly when the server has least to spare
// (ganserve_requests_total counts every one of them).
bool Routine(const std::string& status) { return status == "OK" || status == "RESOURCE_EXHAUSTED"; }

}  // namespace

absl::StatusOr<AccessLogMode> ParseAccessLogMode(absl::string_view text) {
  if (text == "off") return AccessLogMode::kOff;
  if (text == "sampled") return AccessLogMode::kSampled;
  if (text == "all") return AccessLogMode::kAll;
  return absl::InvalidArgumentError(
      absl::StrCat("--access_log must be off, sampled or all, got \"", text, "\""));
}

std::string AccessLogLine(const AccessRecord& r) {
  const std::string time =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromChrono(r.time), absl::UTCTimeZone());
  return absl::StrFormat(
      "{\"time\":\"%s\",\"method\":%s,\"model\":%s,\"status\":%s,\"images\":%d,"
      "\"queue_ms\":%.3f,\"compute_ms\":%.3f,\"encode_ms\":%.3f,\"total_ms\":%.3f,"
      "\"peer\":%s,\"trace_id\":%s}",
      time, JsonString(r.method), JsonString(r.model), JsonString(r.status), r.images,
      Ms(r.timings.queue_seconds), Ms(r.timings.compute_seconds), Ms(r.timings.encode_seconds),
      Ms(r.total_seconds), JsonString(r.peer), JsonString(r.trace_id));
}

void AccessLog::Write(const AccessRecord& record) {
  if (mode_ == AccessLogMode::kOff) return;
  const int64_t n = seen_.fetch_add(1);
  if (mode_ == AccessLogMode::kSampled && Routine(record.status) && !record.trace_sampled &&
      n % sample_every_ != 0) {
    return;
  }
  const std::string line = AccessLogLine(record) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace ganserve
