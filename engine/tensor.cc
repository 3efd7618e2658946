#include "engine/tensor.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ganserve {

int64_t NumElements(const Dims& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::string DimsToString(const Dims& dims) {
  if (dims.size() == 1) return absl::StrCat("(", dims[0], ",)");
  return absl::StrCat("(", absl::StrJoin(dims, ", "), ")");
}

Dims WithBatch(int64_t batch, const Dims& per_sample) {
  Dims full;
  full.reserve(per_sample.size() + 1);
  full.push_back(batch);
  full.insert(full.end(), per_sample.begin(), per_sample.end());
  return full;
}

void Tensor::Resize(Dims dims) {
  shape = std::move(dims);
  data.resize(NumElements(shape));
}

}  // namespace ganserve
