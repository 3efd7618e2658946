#include "server/log.h"

#include <cstdio>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ganserve {

void LogEvent(const std::string& line) {
  const std::string stamp =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  // One fprintf per line so concurrent lines do not interleave.
  std::fprintf(stderr, "%s ganserve %s\n", stamp.c_str(), line.c_str());
}

}  // namespace ganserve
