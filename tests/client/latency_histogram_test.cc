// The histogram alone: percentiles of known distributions against the exact
// nearest-rank percentiles of the sorted samples, within the stated error.
#include "client/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace ganserve::client {
namespace {

int64_t ExactPercentile(std::vector<int64_t> sorted, double p) {
  const int64_t rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(p * sorted.size() / 100.0 - 1e-9)));
  return sorted[rank - 1];
}

void ExpectPercentilesMatch(const std::vector<int64_t>& values, const LatencyHistogram& h) {
  std::vector<int64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double p : {0.1, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
    const double exact = ExactPercentile(sorted, p);
    const double got = h.ValueAtPercentile(p);
    EXPECT_LE(std::abs(got - exact), exact * h.max_relative_error() + 1e-9)
        << "p" << p << ": exact " << exact << " got " << got;
  }
  EXPECT_EQ(h.min(), sorted.front());
  EXPECT_EQ(h.max(), sorted.back());
  EXPECT_EQ(h.count(), static_cast<int64_t>(values.size()));
}

TEST(LatencyHistogram, TwoDigitsMeansUnderOnePercentError) {
  LatencyHistogram h(2);
  EXPECT_LE(h.max_relative_error(), 0.005);
  LatencyHistogram h3(3);
  EXPECT_LE(h3.max_relative_error(), 0.0005);
}

TEST(LatencyHistogram, LogNormalNanosecondLatenciesMatchSortedPercentiles) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(std::log(2e6), 1.0);  // ~2 ms median, long tail
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 200000; ++i) {
    values.push_back(static_cast<int64_t>(dist(rng)));
    h.Record(values.back());
  }
  ExpectPercentilesMatch(values, h);
}

TEST(LatencyHistogram, UniformAndSmallValuesAreExactBelowTheFirstDoubling) {
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int64_t v = 0; v < 256; ++v) {
    values.push_back(v);
    h.Record(v);
  }
  for (double p : {1.0, 50.0, 99.0}) {
    EXPECT_EQ(h.ValueAtPercentile(p), ExactPercentile(values, p));
  }
}

TEST(LatencyHistogram, ExponentialSpanningNineDecadesStaysWithinError) {
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> dist(1.0);
  std::vector<int64_t> values;
  LatencyHistogram h(3);
  for (int i = 0; i < 100000; ++i) {
    values.push_back(static_cast<int64_t>(std::pow(10.0, 9.0 * std::min(dist(rng) / 10.0, 1.0))));
    h.Record(values.back());
  }
  ExpectPercentilesMatch(values, h);
}

TEST(LatencyHistogram, MeanIsExact) {
  LatencyHistogram h;
  for (int64_t v : {1000, 2000, 3000, 1000000}) h.Record(v);
  EXPECT_DOUBLE_EQ(h.mean(), (1000 + 2000 + 3000 + 1000000) / 4.0);
}

TEST(LatencyHistogram, MergeOfShardsEqualsOneHistogramOfAll) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int64_t> dist(1000, 50000000);
  LatencyHistogram all, a, b;
  std::vector<int64_t> values;
  for (int i = 0; i < 50000; ++i) {
    values.push_back(dist(rng));
    all.Record(values.back());
    (i % 3 ? a : b).Record(values.back());
  }
  ASSERT_TRUE(a.Merge(b).ok());
  for (double p : {50.0, 90.0, 99.0, 99.9})
    EXPECT_EQ(a.ValueAtPercentile(p), all.ValueAtPercentile(p));
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  ExpectPercentilesMatch(values, a);
}

TEST(LatencyHistogram, MergeRefusesADifferentResolution) {
  LatencyHistogram two(2), three(3);
  three.Record(5);
  const absl::Status status = two.Merge(three);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("significant digits"), std::string::npos) << status;
}

TEST(LatencyHistogram, EmptyReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.ValueAtPercentile(99), 0);
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.mean(), 0);
}

TEST(LatencyHistogram, HugeValuesDoNotOverflow) {
  LatencyHistogram h;
  const int64_t big = int64_t{1} << 62;
  h.Record(big);
  h.Record(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(h.ValueAtPercentile(100), std::numeric_limits<int64_t>::max());
  EXPECT_NEAR(static_cast<double>(h.ValueAtPercentile(50)), static_cast<double>(big),
              big * h.max_relative_error());
}

}  // namespace
}  // namespace ganserve::client
