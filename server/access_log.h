// The access log: one JSON line per finished call on stdout (the event log
// stays on stderr), every call or a sample. A sample keeps every failed call
// but overload refusals (RESOURCE_EXHAUSTED), every call whose caller sampled
// its trace, and one in `sample_every` others.
#ifndef GANSERVE_SERVER_ACCESS_LOG_H_
#define GANSERVE_SERVER_ACCESS_LOG_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/call_timings.h"

namespace ganserve {

enum class AccessLogMode { kOff, kSampled, kAll };

// "off", "sampled" or "all".
absl::StatusOr<AccessLogMode> ParseAccessLogMode(absl::string_view text);

struct AccessRecord {
  std::chrono::system_clock::time_point time;  // when the call ended
  std::string method;                          // "Generate", "GET /v2/health/ready", …
  std::string model;                           // empty: none resolved
  std::string status;                          // gRPC code name, "OK", "NOT_FOUND", …
  int64_t images = 0;                          // images answered
  CallTimings timings;
  double total_seconds = 0;
  std::string peer;      // "ipv4:127.0.0.1:41234"
  std::string trace_id;  // W3C trace id (trace_context.h)
  bool trace_sampled = false;
};

// {"time":"2026-12-06T22:50:01.123Z","method":…,"queue_ms":…,…}
std::string AccessLogLine(const AccessRecord& record);

class AccessLog {
 public:
  // `out` (stdout in ganserve) must outlive the log.
  AccessLog(AccessLogMode mode, std::FILE* out, int64_t sample_every = 100)
      : mode_(mode), out_(out), sample_every_(sample_every) {}

  void Write(const AccessRecord& record);

 private:
  const AccessLogMode mode_;
  std::FILE* const out_;
  const int64_t sample_every_;
  std::atomic<int64_t> seen_{0};
  std::mutex mu_;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_ACCESS_LOG_H_
