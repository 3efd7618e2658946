#include "engine/onednn/onednn_executor.h"

#include <omp.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "dnnl.hpp"
#include "engine/onednn/lowering.h"
#include "engine/onednn/own_load.h"
#include "engine/onednn/plan.h"
#include "engine/onednn/shared_buffers.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

struct OneDnnContext : ExecutionContext {
  std::unique_ptr<dnnl::engine> engine;
  std::unique_ptr<dnnl::stream> stream;
  int max_threads = 0;  // the thread's OpenMP default, read on first use
  std::unique_ptr<SharedBuffers> shared;
  struct Entry {
    int threads;
    std::unique_ptr<Plan> plan;
  };
  std::vector<Entry> plans;      // one per batch size and thread count seen
  const Plan* active = nullptr;  // the plan whose buffers `shared` holds now

  int64_t BytesHeld() const override {
    if (shared == nullptr) return 0;
    size_t bytes = shared->arena_bytes() + shared->host_bytes() + shared->weight_bytes();
    for (const Entry& e : plans) bytes += e.plan->OwnBytes();
    return static_cast<int64_t>(bytes);
  }
};

// [n, per_sample...] without allocating once `t` has held that many values.
void ResizeForBatch(Tensor& t, int64_t n, const Dims& per_sample) {
  t.shape.resize(per_sample.size() + 1);
  t.shape[0] = n;
  std::copy(per_sample.begin(), per_sample.end(), t.shape.begin() + 1);
  t.data.resize(n * NumElements(per_sample));
}

// The one place where oneDNN's exceptions become absl::Status.
template <typename Fn>
absl::Status TranslateDnnlErrors(Fn&& fn) {
  try {
    return fn();
  } catch (const dnnl::error& e) {
    return absl::InternalError(absl::StrCat("oneDNN: ", e.what(), " (status ", e.status, ")"));
  }
}

// The context's engine, stream and buffers, made on first use.
absl::StatusOr<OneDnnContext*> InitContext(ExecutionContext& context, const OneDnnOptions& options,
                                           const Graph& graph) {
  auto* ctx = dynamic_cast<OneDnnContext*>(&context);
  if (ctx == nullptr) {
    return absl::InvalidArgumentError("context was not made by OneDnnExecutor::NewContext");
  }
  if (ctx->max_threads == 0) {
    ctx->max_threads = options.num_threads > 0 ? options.num_threads : omp_get_max_threads();
  }
  if (ctx->engine == nullptr) {
    GS_RETURN_IF_ERROR(TranslateDnnlErrors([&] {
      ctx->engine = std::make_unique<dnnl::engine>(dnnl::engine::kind::cpu, 0);
      ctx->stream = std::make_unique<dnnl::stream>(*ctx->engine);
      ctx->shared = std::make_unique<SharedBuffers>(graph.nodes().size());
      return absl::OkStatus();
    }));
  }
  return ctx;
}

// The context's plan for `batch` samples on `threads` threads, built if new.
absl::StatusOr<const Plan*> PlanFor(OneDnnContext& ctx, const Graph& graph,
                                    const std::vector<LoweredNode>& lowered, int64_t batch,
                                    int threads, bool bf16) {
  for (const auto& e : ctx.plans) {
    if (e.plan->batch() == batch && e.threads == threads) return e.plan.get();
  }
  GS_ASSIGN_OR_RETURN(
      auto built, Plan::Build(graph, lowered, batch, bf16, *ctx.engine, *ctx.stream, *ctx.shared));
  ctx.plans.push_back({threads, std::move(built)});
  ctx.active = nullptr;  // the shared buffers may have moved
  return ctx.plans.back().plan.get();
}

}  // namespace

bool CpuRunsBf16Natively() {
  const dnnl::cpu_isa isa = dnnl::get_effective_cpu_isa();
  return isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
}

std::string CpuIsaName() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41:
      return "sse41";
    case dnnl::cpu_isa::avx:
      return "avx";
    case dnnl::cpu_isa::avx2:
      return "avx2";
    case dnnl::cpu_isa::avx2_vnni:
      return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core:
      return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx:
      return "avx512_core_amx";
    default:
      return "other";
  }
}

int ThreadsForLoad(int max_threads, bool shed, double foreign_load, int cores) {
  if (!shed || max_threads <= 1) return max_threads;
  return foreign_load >= cores ? 1 : max_threads;
}

OneDnnExecutor::OneDnnExecutor(std::shared_ptr<const Graph> graph, const OneDnnOptions& options)
    : graph_(std::move(graph)), options_(options), lowered_(LowerGraph(*graph_)) {}

OneDnnExecutor::~OneDnnExecutor() = default;

absl::StatusOr<std::unique_ptr<Executor>> OneDnnExecutor::Create(std::shared_ptr<const Graph> graph,
                                                                 const OneDnnOptions& options) {
  if (graph == nullptr) return absl::InvalidArgumentError("graph is null");
  if (options.num_threads < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_threads must be >= 0, got ", options.num_threads));
  }
  if (options.max_plan_batch < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_plan_batch must be >= 1, got ", options.max_plan_batch));
  }
  return std::unique_ptr<Executor>(new OneDnnExecutor(std::move(graph), options));
}

std::unique_ptr<ExecutionContext> OneDnnExecutor::NewContext() const {
  return std::make_unique<OneDnnContext>();
}

absl::Status OneDnnExecutor::Prepare(ExecutionContext& context, int64_t max_batch) const {
  if (max_batch < 0) {
    return absl::InvalidArgumentError(absl::StrCat("max_batch must be >= 0, got ", max_batch));
  }
  GS_ASSIGN_OR_RETURN(OneDnnContext * ctx, InitContext(context, options_, *graph_));
  std::vector<int> thread_counts{ctx->max_threads};
  if (options_.shed_threads_under_load && ctx->max_threads > 1) thread_counts.push_back(1);
  return TranslateDnnlErrors([&]() -> absl::Status {
    for (int threads : thread_counts) {
      omp_set_num_threads(threads);
      // Largest first, so the shared buffers are allocated once.
      for (int64_t b = std::min(max_batch, options_.max_plan_batch); b >= 1; --b) {
        GS_RETURN_IF_ERROR(PlanFor(*ctx, *graph_, lowered_, b, threads, options_.bf16).status());
      }
    }
    return absl::OkStatus();
  });
}

absl::Status OneDnnExecutor::Run(ExecutionContext& context, absl::Span<const Tensor> inputs,
                                 Tensor& output) const {
  GS_ASSIGN_OR_RETURN(const int64_t batch, CheckGraphInputs(*graph_, inputs));
  if (batch == 0) {
    output.Resize(WithBatch(0, graph_->output_dims()));
    return absl::OkStatus();
  }
  GS_ASSIGN_OR_RETURN(OneDnnContext * ctx, InitContext(context, options_, *graph_));
  // Reading the load costs three system calls; a one-thread context has nothing to shed.
  const bool shed = options_.shed_threads_under_load && ctx->max_threads > 1;
  const int threads =
      shed ? ThreadsForLoad(ctx->max_threads, true, ForeignLoadAverage(), omp_get_num_procs())
           : ctx->max_threads;
  omp_set_num_threads(threads);
  ResizeForBatch(output, batch, graph_->output_dims());
  return TranslateDnnlErrors([&]() -> absl::Status {
    for (int64_t first = 0; first < batch; first += options_.max_plan_batch) {
      const int64_t count = std::min(batch - first, options_.max_plan_batch);
      GS_ASSIGN_OR_RETURN(const Plan* plan,
                          PlanFor(*ctx, *graph_, lowered_, count, threads, options_.bf16));
      if (ctx->active != plan) {
        plan->Activate(*ctx->shared, *ctx->stream);
        ctx->active = plan;
      }
      GS_RETURN_IF_ERROR(plan->Execute(*ctx->stream, inputs, first, count, output));
    }
    return absl::OkStatus();
  });
}

}  // namespace ganserve
