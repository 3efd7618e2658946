#include "engine/ops/embedding.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<int64_t> EmbeddingRow(float index, int64_t input_dim) {
  if (!std::isfinite(index) || index <= -1.0f || index >= static_cast<float>(input_dim)) {
    return absl::InvalidArgumentError(
        absl::StrCat("embedding index ", index, " is outside [0, ", input_dim, ")"));
  }
  return static_cast<int64_t>(index);  // truncation toward zero, like tf.cast
}

absl::StatusOr<Dims> EmbeddingOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) return absl::InvalidArgumentError("Embedding takes one input");
  if (table_.shape.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "embeddings must be 2-D (input_dim, output_dim), got ", DimsToString(table_.shape)));
  }
  Dims out = inputs[0];
  out.push_back(table_.shape[1]);
  return out;
}

absl::Status EmbeddingOp::RunReference(absl::Span<const Tensor* const> inputs,
                                       Tensor& output) const {
  const Tensor& x = *inputs[0];
  const int64_t width = output_dim();
  for (int64_t i = 0; i < x.size(); ++i) {
    auto row = EmbeddingRow(x.data[i], input_dim());
    if (!row.ok()) return row.status();
    std::copy_n(&table_.data[*row * width], width, &output.data[i * width]);
  }
  return absl::OkStatus();
}

}  // namespace ganserve
