#include "client/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace ganserve::client {

LatencyHistogram::LatencyHistogram(int significant_digits)
    : significant_digits_(std::clamp(significant_digits, 1, 4)) {
  const int64_t needed = 2 * static_cast<int64_t>(std::pow(10, significant_digits_));
  sub_bucket_bits_ = std::bit_width(static_cast<uint64_t>(needed - 1));
  sub_bucket_count_ = int64_t{1} << sub_bucket_bits_;
  half_count_ = sub_bucket_count_ / 2;
  // Values below sub_bucket_count_ are exact; each further power of two
  // adds half_count_ buckets, up to 2^63.
  const int doublings = 63 - sub_bucket_bits_ + 1;
  counts_.assign(sub_bucket_count_ + doublings * half_count_, 0);
}

int LatencyHistogram::BucketIndex(int64_t value) const {
  if (value < sub_bucket_count_) return static_cast<int>(value);
  const int top_bit = std::bit_width(static_cast<uint64_t>(value)) - 1;
  const int shift = top_bit - (sub_bucket_bits_ - 1);  // value >> shift in [half, count)
  return static_cast<int>(sub_bucket_count_ + (shift - 1) * half_count_ +
                          ((value >> shift) - half_count_));
}

int64_t LatencyHistogram::BucketLow(int index) const {
  if (index < sub_bucket_count_) return index;
  const int64_t rest = index - sub_bucket_count_;
  const int shift = static_cast<int>(rest / half_count_) + 1;
  return (half_count_ + rest % half_count_) << shift;
}

int64_t LatencyHistogram::BucketWidth(int index) const {
  if (index < sub_bucket_count_) return 1;
  return int64_t{1} << ((index - sub_bucket_count_) / half_count_ + 1);
}

void LatencyHistogram::Record(int64_t value) {
  value = std::max<int64_t>(value, 0);
  ++counts_[BucketIndex(value)];
  if (count_ == 0 || value < min_) min_ = value;
  if (count_ == 0 || value > max_) max_ = value;
  ++count_;
  sum_ += value;
}

absl::Status LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.significant_digits_ != significant_digits_) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot merge a histogram of ", other.significant_digits_,
                     " significant digits into one of ", significant_digits_));
  }
  if (other.count_ == 0) return absl::OkStatus();
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  if (count_ == 0 || other.max_ > max_) max_ = other.max_;
  count_ += other.count_;
  sum_ += other.sum_;
  return absl::OkStatus();
}

void LatencyHistogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = max_ = 0;
  sum_ = 0;
}

int64_t LatencyHistogram::ValueAtPercentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // p * count / 100 rounds exactly for whole-number products, unlike p / 100 * count.
  const int64_t rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(p * count_ / 100.0 - 1e-9)));
  if (rank >= count_) return max_;
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const int index = static_cast<int>(i);
      const int64_t middle = BucketLow(index) + BucketWidth(index) / 2;
      return std::clamp(middle, min_, max_);
    }
  }
  return max_;
}

double LatencyHistogram::max_relative_error() const {
  // Half a bucket over the bucket's lowest value, at the widest ratio.
  return 0.5 / static_cast<double>(half_count_);
}

}  // namespace ganserve::client
