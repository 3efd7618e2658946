#include "tests/testing/npy_test_util.h"

#include <cmath>
#include <limits>

namespace ganserve {

double RelativeError(const Tensor& a, const Tensor& b) {
  if (a.shape != b.shape) return std::numeric_limits<double>::infinity();
  double diff = 0, norm = 0;
  for (int64_t i = 0; i < a.size(); ++i) {
    diff += (double{a.data[i]} - b.data[i]) * (double{a.data[i]} - b.data[i]);
    norm += double{b.data[i]} * b.data[i];
  }
  return norm == 0 ? std::sqrt(diff) : std::sqrt(diff / norm);
}

}  // namespace ganserve
