// A high-dynamic-range latency histogram (after HdrHistogram): log-bucketed
// so that any recorded value is reported within a fixed relative error,
// small enough to keep one per thread, and mergeable for a run's total.
#ifndef GANSERVE_CLIENT_LATENCY_HISTOGRAM_H_
#define GANSERVE_CLIENT_LATENCY_HISTOGRAM_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"

namespace ganserve::client {

class LatencyHistogram {
 public:
  // `significant_digits` (1..4) fixes the resolution: a bucket never spans
  // more than 10^-digits of its lowest value.
  explicit LatencyHistogram(int significant_digits = 2);

  // Records one non-negative value (negative values count as 0).
  void Record(int64_t value);
  // Adds another histogram's counts; both must have the same resolution.
  absl::Status Merge(const LatencyHistogram& other);
  void Reset();

  int64_t count() const { return count_; }
  int64_t min() const { return count_ ? min_ : 0; }
  int64_t max() const { return count_ ? max_ : 0; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }
  // The nearest-rank percentile (p in [0, 100]): the value v such that
  // ceil(p/100 * count) recorded values are <= v, reported as the middle of
  // its bucket and clamped to [min, max]. 0 when empty.
  int64_t ValueAtPercentile(double p) const;
  // The largest relative error of ValueAtPercentile against the exact value.
  double max_relative_error() const;

 private:
  int BucketIndex(int64_t value) const;
  int64_t BucketLow(int index) const;
  int64_t BucketWidth(int index) const;

  int significant_digits_;
  int sub_bucket_bits_;  // 2^bits >= 2 * 10^digits
  int64_t sub_bucket_count_;
  int64_t half_count_;
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = 0, max_ = 0;
  __int128 sum_ = 0;
};

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_LATENCY_HISTOGRAM_H_
