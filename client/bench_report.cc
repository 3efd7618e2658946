#include "client/bench_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace ganserve::client {
namespace {

constexpr double kPercentiles[] = {50, 90, 95, 99, 99.9};
constexpr const char* kPercentileNames[] = {"p50", "p90", "p95", "p99", "p99.9"};

double Ms(int64_t ns) { return ns / 1e6; }

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Mode(const BenchOptions& o) {
  return o.rate > 0 ? absl::StrFormat("open loop, %g req/s", o.rate)
                    : absl::StrFormat("closed loop, concurrency %d", o.concurrency);
}

double ErrorRate(const BenchResult& r) {
  return r.sent ? static_cast<double>(r.errors) / r.sent : 0.0;
}
double PerSecond(int64_t n, const BenchResult& r) {
  return r.elapsed_seconds > 0 ? n / r.elapsed_seconds : 0.0;
}

std::string Text(const BenchOptions& o, const std::string& target, const BenchResult& r) {
  std::string out = absl::StrFormat("Target %s, api %s, %s, %d connection(s), batch %d\n", target,
                                    BenchApiName(o.api), Mode(o), o.connections, o.batch);
  absl::StrAppendFormat(&out, "  requests    %d sent, %d ok, %d errors (%.2f%%)\n", r.sent, r.ok,
                        r.errors, 100 * ErrorRate(r));
  absl::StrAppendFormat(&out, "  elapsed     %.3f s (after %s warm-up)\n", r.elapsed_seconds,
                        absl::FormatDuration(o.warmup));
  absl::StrAppendFormat(&out, "  throughput  %.1f req/s, %.1f images/s\n", PerSecond(r.ok, r),
                        PerSecond(r.images, r));
  if (o.rate > 0) {
    absl::StrAppendFormat(&out, "  late sends  %d (sent more than %s after their scheduled time)\n",
                          r.late, absl::FormatDuration(o.late_after));
  }
  absl::StrAppendFormat(&out, "Latency of successful requests (ms, within %.1f%%):\n",
                        100 * r.latency.max_relative_error());
  absl::StrAppendFormat(&out, "  min %.2f  mean %.2f", Ms(r.latency.min()), r.latency.mean() / 1e6);
  for (size_t i = 0; i < std::size(kPercentiles); ++i) {
    absl::StrAppendFormat(&out, "  %s %.2f", kPercentileNames[i],
                          Ms(r.latency.ValueAtPercentile(kPercentiles[i])));
  }
  absl::StrAppendFormat(&out, "  max %.2f\n", Ms(r.latency.max()));
  if (r.error_latency.count() > 0) {
    absl::StrAppendFormat(&out, "Latency of failed requests (ms):  p50 %.2f  p99 %.2f  max %.2f\n",
                          Ms(r.error_latency.ValueAtPercentile(50)),
                          Ms(r.error_latency.ValueAtPercentile(99)), Ms(r.error_latency.max()));
  }
  if (r.pushbacks > 0) {
    absl::StrAppendFormat(&out, "  pushbacks   %d (a slot waited out grpc-retry-pushback-ms)\n",
                          r.pushbacks);
  }
  out += "Status codes:\n";
  for (const auto& [code, summary] : r.status_counts) {
    absl::StrAppendFormat(&out, "  %-20s %8d", StatusCodeName(code), summary.count);
    if (!summary.first_message.empty()) absl::StrAppend(&out, "  first: ", summary.first_message);
    out += "\n";
  }
  out += "Per second (ok / errors):\n ";
  for (size_t s = 0; s < r.per_second.size(); ++s) {
    absl::StrAppendFormat(&out, " %d/%d", r.per_second[s].ok, r.per_second[s].errors);
    if (s % 10 == 9 && s + 1 < r.per_second.size()) out += "\n ";
  }
  return out + "\n";
}

std::string Json(const BenchOptions& o, const std::string& target, const BenchResult& r) {
  std::vector<std::string> codes, seconds, percentiles;
  for (const auto& [code, summary] : r.status_counts) {
    codes.push_back(absl::StrFormat(
        "{\"code\": %d, \"name\": %s, \"count\": %d, \"first_message\": %s}", code,
        JsonString(StatusCodeName(code)), summary.count, JsonString(summary.first_message)));
  }
  for (const SecondStats& s : r.per_second) {
    seconds.push_back(
        absl::StrFormat("{\"ok\": %d, \"errors\": %d, \"images\": %d}", s.ok, s.errors, s.images));
  }
  for (size_t i = 0; i < std::size(kPercentiles); ++i) {
    percentiles.push_back(absl::StrFormat("\"%s\": %.4f", kPercentileNames[i],
                                          Ms(r.latency.ValueAtPercentile(kPercentiles[i]))));
  }
  return absl::StrFormat(
      "{\n  \"target\": %s,\n  \"api\": \"%s\",\n  \"mode\": \"%s\",\n  \"concurrency\": %d,\n  "
      "\"rate\": %g,\n"
      "  \"connections\": %d,\n  \"batch\": %d,\n  \"sent\": %d,\n  \"ok\": %d,\n  \"errors\": "
      "%d,\n"
      "  \"error_rate\": %.6f,\n  \"late\": %d,\n  \"elapsed_s\": %.6f,\n  \"requests_per_s\": "
      "%.3f,\n"
      "  \"images_per_s\": %.3f,\n  \"latency_ms\": {\"min\": %.4f, \"mean\": %.4f, %s, \"max\": "
      "%.4f, "
      "\"relative_error\": %.5f},\n  \"error_latency_ms\": {\"p50\": %.4f, \"p99\": %.4f, "
      "\"max\": %.4f},\n  \"pushbacks\": %d,\n  \"status_codes\": [%s],\n  \"per_second\": "
      "[%s]\n}\n",
      JsonString(target), BenchApiName(o.api), o.rate > 0 ? "open" : "closed", o.concurrency,
      o.rate, o.connections, o.batch, r.sent, r.ok, r.errors, ErrorRate(r), r.late,
      r.elapsed_seconds, PerSecond(r.ok, r), PerSecond(r.images, r), Ms(r.latency.min()),
      r.latency.mean() / 1e6, absl::StrJoin(percentiles, ", "), Ms(r.latency.max()),
      r.latency.max_relative_error(), Ms(r.error_latency.ValueAtPercentile(50)),
      Ms(r.error_latency.ValueAtPercentile(99)), Ms(r.error_latency.max()), r.pushbacks,
      absl::StrJoin(codes, ", "), absl::StrJoin(seconds, ", "));
}

std::string Csv(const BenchOptions& o, const std::string& target, const BenchResult& r) {
  std::string out =
      "target,mode,concurrency,rate,connections,batch,sent,ok,errors,late,elapsed_s,requests_per_s,"
      "images_per_s,"
      "min_ms,mean_ms,p50_ms,p90_ms,p95_ms,p99_ms,p99.9_ms,max_ms\n";
  absl::StrAppendFormat(&out, "\"%s\",%s,%d,%g,%d,%d,%d,%d,%d,%d,%.6f,%.3f,%.3f,%.4f,%.4f", target,
                        o.rate > 0 ? "open" : "closed", o.concurrency, o.rate, o.connections,
                        o.batch, r.sent, r.ok, r.errors, r.late, r.elapsed_seconds,
                        PerSecond(r.ok, r), PerSecond(r.images, r), Ms(r.latency.min()),
                        r.latency.mean() / 1e6);
  for (double p : kPercentiles)
    absl::StrAppendFormat(&out, ",%.4f", Ms(r.latency.ValueAtPercentile(p)));
  absl::StrAppendFormat(&out, ",%.4f\n", Ms(r.latency.max()));
  return out;
}

}  // namespace

absl::StatusOr<ReportFormat> ParseReportFormat(const std::string& text) {
  if (text == "text") return ReportFormat::kText;
  if (text == "json") return ReportFormat::kJson;
  if (text == "csv") return ReportFormat::kCsv;
  return absl::InvalidArgumentError(
      absl::StrCat("--format must be text, json or csv, got '", text, "'"));
}

std::string StatusCodeName(int code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  return code >= 0 && code < static_cast<int>(std::size(kNames)) ? kNames[code]
                                                                 : absl::StrCat("CODE_", code);
}

std::string FormatReport(const BenchOptions& options, const std::string& target,
                         const BenchResult& result, ReportFormat format) {
  switch (format) {
    case ReportFormat::kJson:
      return Json(options, target, result);
    case ReportFormat::kCsv:
      return Csv(options, target, result);
    case ReportFormat::kText:
    default:
      return Text(options, target, result);
  }
}

std::vector<std::string> Breaches(const BenchResult& result, const Thresholds& thresholds) {
  std::vector<std::string> breaches;
  if (thresholds.max_p99 > absl::ZeroDuration()) {
    const int64_t p99 = result.latency.ValueAtPercentile(99);
    if (result.latency.count() == 0 || p99 > absl::ToInt64Nanoseconds(thresholds.max_p99)) {
      breaches.push_back(
          absl::StrFormat("p99 latency %.2f ms is over --max-p99 %s%s", Ms(p99),
                          absl::FormatDuration(thresholds.max_p99),
                          result.latency.count() == 0 ? " (no successful request)" : ""));
    }
  }
  if (thresholds.max_error_rate >= 0 && ErrorRate(result) > thresholds.max_error_rate) {
    breaches.push_back(absl::StrFormat("error rate %.4f is over --max-error-rate %g",
                                       ErrorRate(result), thresholds.max_error_rate));
  }
  return breaches;
}

}  // namespace ganserve::client
