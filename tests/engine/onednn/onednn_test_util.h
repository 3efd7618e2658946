// Helpers for comparing the oneDNN executor with the reference executor.
#ifndef GANSERVE_TESTS_ENGINE_ONEDNN_ONEDNN_TEST_UTIL_H_
#define GANSERVE_TESTS_ENGINE_ONEDNN_ONEDNN_TEST_UTIL_H_

#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "engine/onednn/onednn_executor.h"
#include "engine/reference/reference_executor.h"
#include "gtest/gtest.h"
#include "tests/testing/generator_zoo.h"

namespace ganserve {

// ‖a − b‖ / ‖b‖ over all elements (shapes must match).
inline double RelativeError(const Tensor& a, const Tensor& b) {
  double diff = 0, norm = 0;
  for (size_t i = 0; i < b.data.size(); ++i) {
    diff += (double{a.data[i]} - b.data[i]) * (double{a.data[i]} - b.data[i]);
    norm += double{b.data[i]} * b.data[i];
  }
  return norm == 0 ? std::sqrt(diff) : std::sqrt(diff / norm);
}

inline std::vector<Tensor> RandomInputs(const Graph& graph, int64_t batch, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    inputs.push_back(RandomTensor(WithBatch(batch, graph.input_dims(i)), rng));
  }
  return inputs;
}

inline Tensor RunWith(const Executor& exec, const std::vector<Tensor>& inputs) {
  auto ctx = exec.NewContext();
  Tensor out;
  const absl::Status s = exec.Run(*ctx, inputs, out);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

// Runs `graph` on both executors and expects ‖onednn − ref‖/‖ref‖ < tol.
inline void ExpectMatchesReference(const Graph& graph, const std::vector<Tensor>& inputs,
                                   double tol = 1e-5, const OneDnnOptions& options = {}) {
  auto shared = std::make_shared<const Graph>(graph);
  auto onednn = OneDnnExecutor::Create(shared, options);
  ASSERT_TRUE(onednn.ok()) << onednn.status();
  const Tensor want = RunWith(ReferenceExecutor(shared), inputs);
  const Tensor got = RunWith(**onednn, inputs);
  ASSERT_EQ(got.shape, want.shape);
  EXPECT_LT(RelativeError(got, want), tol) << graph.Summary();
}

inline void ExpectMatchesReference(const absl::StatusOr<Graph>& graph, int64_t batch,
                                   uint32_t seed = 1) {
  ASSERT_TRUE(graph.ok()) << graph.status();
  ExpectMatchesReference(*graph, RandomInputs(*graph, batch, seed));
}

}  // namespace ganserve

#endif  // GANSERVE_TESTS_ENGINE_ONEDNN_ONEDNN_TEST_UTIL_H_
