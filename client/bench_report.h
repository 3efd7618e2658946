// Renders a bench run as text (for people), JSON (for tools) or CSV (one
// row per run, to append across runs), and checks the CI thresholds.
#ifndef GANSERVE_CLIENT_BENCH_REPORT_H_
#define GANSERVE_CLIENT_BENCH_REPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/bench_runner.h"

namespace ganserve::client {

enum class ReportFormat { kText, kJson, kCsv };
absl::StatusOr<ReportFormat> ParseReportFormat(const std::string& text);

std::string StatusCodeName(int code);

std::string FormatReport(const BenchOptions& options, const std::string& target,
                         const BenchResult& result, ReportFormat format);

struct Thresholds {
  absl::Duration max_p99 = absl::ZeroDuration();  // zero: no limit
  double max_error_rate = -1;                     // fraction 0..1; < 0: no limit
};
// One line per breached threshold; empty when the run passed.
std::vector<std::string> Breaches(const BenchResult& result, const Thresholds& thresholds);

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_BENCH_REPORT_H_
