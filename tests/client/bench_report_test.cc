// bench's CSV report on a run whose numbers are known: one row under the
// header, a field per column, each column holding its own value.
#include "client/bench_report.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ganserve::client {
namespace {

// Splits one CSV line; a double-quoted field may hold commas.
std::vector<std::string> CsvFields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

double Number(const std::map<std::string, std::string>& row, const std::string& column) {
  double value = -1;
  EXPECT_TRUE(row.count(column) && absl::SimpleAtod(row.at(column), &value))
      << column << " is not a number";
  return value;
}

TEST(BenchReport, CsvRowHoldsEachColumnsValue) {
  BenchOptions options;
  options.rate = 30;
  options.concurrency = 1;
  options.connections = 2;
  options.batch = 3;
  BenchResult result;
  result.sent = 110;
  result.ok = 100;
  result.errors = 10;
  result.late = 3;
  result.images = 300;
  result.elapsed_seconds = 4;
  for (int ms = 1; ms <= 100; ++ms) result.latency.Record(ms * 1000000);  // 1..100 ms
  const std::string target = "10.0.0.1:50051,10.0.0.2:50051";             // a comma: quoted

  const std::vector<std::string> lines = absl::StrSplit(
      FormatReport(options, target, result, ReportFormat::kCsv), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  const std::vector<std::string> header = absl::StrSplit(lines[0], ',');
  const std::vector<std::string> fields = CsvFields(lines[1]);
  ASSERT_EQ(fields.size(), header.size()) << lines[1];
  std::map<std::string, std::string> row;
  for (size_t i = 0; i < header.size(); ++i) row[header[i]] = fields[i];

  EXPECT_EQ(row["target"], target);
  EXPECT_EQ(row["mode"], "open");
  EXPECT_EQ(Number(row, "rate"), 30);
  EXPECT_EQ(Number(row, "connections"), 2);
  EXPECT_EQ(Number(row, "batch"), 3);
  EXPECT_EQ(Number(row, "sent"), 110);
  EXPECT_EQ(Number(row, "ok"), 100);
  EXPECT_EQ(Number(row, "errors"), 10);
  EXPECT_EQ(Number(row, "late"), 3);
  EXPECT_EQ(Number(row, "elapsed_s"), 4);
  EXPECT_EQ(Number(row, "requests_per_s"), 25);  // ok / elapsed
  EXPECT_EQ(Number(row, "images_per_s"), 75);
  EXPECT_EQ(Number(row, "min_ms"), 1);  // min, max and mean are exact
  EXPECT_EQ(Number(row, "max_ms"), 100);
  EXPECT_EQ(Number(row, "mean_ms"), 50.5);
  // Nearest rank of 1..100 ms is p ms, within the histogram's resolution.
  const double error = result.latency.max_relative_error();
  for (const auto& [column, want] : std::map<std::string, double>{
           {"p50_ms", 50}, {"p90_ms", 90}, {"p95_ms", 95}, {"p99_ms", 99}, {"p99.9_ms", 100}}) {
    EXPECT_NEAR(Number(row, column), want, want * error + 1e-4) << column;
  }
}

TEST(BenchReport, CsvSaysClosedLoopWithItsConcurrency) {
  BenchOptions options;
  options.concurrency = 8;
  BenchResult nothing;
  const std::vector<std::string> lines = absl::StrSplit(
      FormatReport(options, "h:1", nothing, ReportFormat::kCsv), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  const std::vector<std::string> fields = CsvFields(lines[1]);
  ASSERT_GE(fields.size(), 4u);
  EXPECT_EQ(fields[1], "closed");
  EXPECT_EQ(fields[2], "8");
  EXPECT_EQ(fields[3], "0");  // no rate
}

}  // namespace
}  // namespace ganserve::client
