// Dense row-major float32 tensors and the shapes that describe them.
#ifndef GANSERVE_ENGINE_TENSOR_H_
#define GANSERVE_ENGINE_TENSOR_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ganserve {

// A shape. In the graph, node shapes are per sample (no batch axis); a Tensor's
// shape includes the batch axis first. Spatial tensors are channels-last (H, W, C).
using Dims = std::vector<int64_t>;

int64_t NumElements(const Dims& dims);
// "(3, 4, 1)" — the notation Keras uses in summaries.
std::string DimsToString(const Dims& dims);
Dims WithBatch(int64_t batch, const Dims& per_sample);

struct Tensor {
  Dims shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(Dims dims) : shape(std::move(dims)), data(NumElements(shape)) {}
  Tensor(Dims dims, std::vector<float> values)
      : shape(std::move(dims)), data(std::move(values)) {}

  int64_t size() const { return static_cast<int64_t>(data.size()); }
  // Reshapes without shrinking capacity, so a reused output tensor does not
  // reallocate once it has seen its largest batch.
  void Resize(Dims dims);
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_TENSOR_H_
