#include "server/log.h"

#include <cstdio>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/one_line.h"

namespace ganserve {

void LogEvent(const std::string& line) {
  const std::string stamp =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  // An event is one whole line whatever its fields hold (a refused file's
  // message can quote its bytes), and one write so concurrent lines do not
  // interleave.
  const std::string text = stamp + " ganserve " + OneLine(line) + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace ganserve
