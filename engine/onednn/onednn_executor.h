// The oneDNN executor: runs a Graph through oneDNN primitives (blocked
// layouts, BatchNorm folded into conv weights, activations as post-ops),
// compiled once per batch size in each ExecutionContext (at Prepare, or
// lazily), with one arena of buffers shared by the plans of every size.
#ifndef GANSERVE_ENGINE_ONEDNN_ONEDNN_EXECUTOR_H_
#define GANSERVE_ENGINE_ONEDNN_ONEDNN_EXECUTOR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/executor.h"

namespace ganserve {

// Defined in lowering.h, which includes dnnl.hpp: this header stays
// dnnl-free so that the server and the client never see oneDNN.
struct LoweredNode;

struct OneDnnOptions {
  // OpenMP threads used by each Run; 0 keeps the runtime's default.
  int num_threads = 0;
  // Run on one thread while other processes alone keep every core busy
  // (1-minute load average minus this process's own CPU use >= cores). OpenMP teams stall at
  // each barrier when a member is descheduled, so on a loaded machine one
  // thread beats two (BENCHMARKS.md, "Figures that were code comments").
  // Plans are built per thread count, so each primitive runs with the team
  // it was created for.
  bool shed_threads_under_load = false;
  // The largest batch a plan is compiled for; a larger batch runs in slices
  // of this many samples (and one plan for the rest). A context's memory
  // then follows min(batch, max_plan_batch): on the zoo and the bundled
  // models throughput peaks at batch 8-16 and falls beyond (BENCHMARKS.md,
  // "Arena"), so slicing costs nothing there.
  int64_t max_plan_batch = 16;
  // Convolutions and deconvolutions in bf16 (weights and activations, f32
  // accumulation), except the output layer; a layer oneDNN would run with a
  // reference kernel in bf16 stays f32. Dense layers, host steps and plain
  // values stay f32.
  bool bf16 = false;
};

// True when oneDNN runs bf16 convolutions with native instructions here
// (avx512_bf16 or AMX), not by emulation or reference loops.
bool CpuRunsBf16Natively();
// oneDNN's name for the instruction set it uses here, e.g. "avx512_core_amx".
std::string CpuIsaName();

// The thread count for one Run: `max_threads`, or 1 when `shed` and the
// load other processes put on the machine (`foreign_load`, a load average
// without this process's share) already fills the `cores`.
int ThreadsForLoad(int max_threads, bool shed, double foreign_load, int cores);

class OneDnnExecutor : public Executor {
 public:
  static absl::StatusOr<std::unique_ptr<Executor>> Create(std::shared_ptr<const Graph> graph,
                                                          const OneDnnOptions& options = {});
  ~OneDnnExecutor() override;

  // A context holds its own engine, stream, plans and their shared buffers;
  // use it on one thread at a time (oneDNN primitives run on the thread that
  // created them, so plans are built inside Prepare or Run).
  std::unique_ptr<ExecutionContext> NewContext() const override;
  // Builds the plans for every batch size 1..min(max_batch, max_plan_batch)
  // and, with shed_threads_under_load, for both thread counts.
  absl::Status Prepare(ExecutionContext& context, int64_t max_batch) const override;
  absl::Status Run(ExecutionContext& context, absl::Span<const Tensor> inputs,
                   Tensor& output) const override;
  const Graph& graph() const override { return *graph_; }

 private:
  OneDnnExecutor(std::shared_ptr<const Graph> graph, const OneDnnOptions& options);

  std::shared_ptr<const Graph> graph_;
  OneDnnOptions options_;
  std::vector<LoweredNode> lowered_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_ONEDNN_EXECUTOR_H_
