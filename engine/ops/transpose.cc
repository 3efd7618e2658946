#include "engine/ops/transpose.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ganserve {

absl::StatusOr<Dims> TransposeOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) return absl::InvalidArgumentError("Transpose takes one input");
  const Dims& in = inputs[0];
  std::vector<int> sorted = perm_;
  std::sort(sorted.begin(), sorted.end());
  bool is_permutation = sorted.size() == in.size();
  for (size_t i = 0; is_permutation && i < sorted.size(); ++i) {
    is_permutation = sorted[i] == static_cast<int>(i);
  }
  if (!is_permutation) {
    return absl::InvalidArgumentError(absl::StrCat("perm (", absl::StrJoin(perm_, ", "),
                                                   ") is not a permutation of the ",
                                                   in.size(), " axes of ", DimsToString(in)));
  }
  Dims out(in.size());
  for (size_t i = 0; i < in.size(); ++i) out[i] = in[perm_[i]];
  return out;
}

absl::Status TransposeOp::RunReference(absl::Span<const Tensor* const> inputs,
                                       Tensor& output) const {
  const Tensor& x = *inputs[0];
  const size_t rank = x.shape.size();  // includes batch
  std::vector<int64_t> in_strides(rank, 1);
  for (int i = static_cast<int>(rank) - 2; i >= 0; --i) {
    in_strides[i] = in_strides[i + 1] * x.shape[i + 1];
  }
  // Output axis a (a >= 1) reads input axis perm[a-1]+1; the batch stays.
  std::vector<int64_t> stride_of_out(rank);
  stride_of_out[0] = in_strides[0];
  for (size_t a = 1; a < rank; ++a) stride_of_out[a] = in_strides[perm_[a - 1] + 1];
  std::vector<int64_t> index(rank, 0);
  for (int64_t o = 0; o < output.size(); ++o) {
    int64_t src = 0;
    for (size_t a = 0; a < rank; ++a) src += index[a] * stride_of_out[a];
    output.data[o] = x.data[src];
    for (int a = static_cast<int>(rank) - 1; a >= 0; --a) {
      if (++index[a] < output.shape[a]) break;
      index[a] = 0;
    }
  }
  return absl::OkStatus();
}

}  // namespace ganserve
