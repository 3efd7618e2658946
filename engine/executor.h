// Runs a Graph. Executors are immutable and shared between threads; each
// thread that calls Run owns an ExecutionContext holding its scratch memory
// (and, for oneDNN, its compiled primitives per batch size).
#ifndef GANSERVE_ENGINE_EXECUTOR_H_
#define GANSERVE_ENGINE_EXECUTOR_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "engine/graph.h"
#include "engine/tensor.h"

namespace ganserve {

class ExecutionContext {
 public:
  virtual ~ExecutionContext() = default;

  // Bytes of the buffers this context holds (for oneDNN: the activation
  // arena, reordered weights and the plans' own bookkeeping; not oneDNN's
  // primitive objects and JIT code). Deterministic for a given history.
  virtual int64_t BytesHeld() const { return 0; }
};

class Executor {
 public:
  virtual ~Executor() = default;

  virtual std::unique_ptr<ExecutionContext> NewContext() const = 0;

  // Builds, on the calling thread, everything `context` needs so that no
  // later Run with batch <= max_batch compiles or allocates context memory.
  // Call it on the thread that will run the context (oneDNN primitives run on
  // the thread that created them), before serving.
  virtual absl::Status Prepare(ExecutionContext& /*context*/, int64_t /*max_batch*/) const {
    return absl::OkStatus();
  }

  // inputs[i] has shape [N, graph.input_dims(i)...], the same N for all.
  // `output` is resized to [N, graph.output_dims()...]; its buffer is reused
  // across calls. Concurrent calls must use different contexts.
  virtual absl::Status Run(ExecutionContext& context, absl::Span<const Tensor> inputs,
                           Tensor& output) const = 0;

  virtual const Graph& graph() const = 0;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_EXECUTOR_H_
