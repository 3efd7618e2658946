#include "engine/onednn/onednn_executor.h"

#include <omp.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "dnnl.hpp"
#include "engine/onednn/plan.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

struct OneDnnContext : ExecutionContext {
  std::unique_ptr<dnnl::engine> engine;
  std::unique_ptr<dnnl::stream> stream;
  int max_threads = 0;  // the thread's OpenMP default, read on first Run
  struct Entry {
    int threads;
    std::unique_ptr<Plan> plan;
  };
  std::vector<Entry> plans;  // one per batch size and thread count seen
};

// The one place where oneDNN's exceptions become absl::Status.
template <typename Fn>
absl::Status TranslateDnnlErrors(Fn&& fn) {
  try {
    return fn();
  } catch (const dnnl::error& e) {
    return absl::InternalError(absl::StrCat("oneDNN: ", e.what(), " (status ", e.status, ")"));
  }
}

}  // namespace

int ThreadsForLoad(int max_threads, bool shed, double load, int cores) {
  if (!shed || max_threads <= 1) return max_threads;
  return load >= cores + max_threads ? 1 : max_threads;
}

absl::StatusOr<std::unique_ptr<Executor>> OneDnnExecutor::Create(std::shared_ptr<const Graph> graph,
                                                                 const OneDnnOptions& options) {
  if (graph == nullptr) return absl::InvalidArgumentError("graph is null");
  if (options.num_threads < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_threads must be >= 0, got ", options.num_threads));
  }
  return std::unique_ptr<Executor>(new OneDnnExecutor(std::move(graph), options));
}

std::unique_ptr<ExecutionContext> OneDnnExecutor::NewContext() const {
  return std::make_unique<OneDnnContext>();
}

absl::Status OneDnnExecutor::Run(ExecutionContext& context, absl::Span<const Tensor> inputs,
                                 Tensor& output) const {
  GS_ASSIGN_OR_RETURN(const int64_t batch, CheckGraphInputs(*graph_, inputs));
  if (batch == 0) {
    output.Resize(WithBatch(0, graph_->output_dims()));
    return absl::OkStatus();
  }
  auto* ctx = dynamic_cast<OneDnnContext*>(&context);
  if (ctx == nullptr) {
    return absl::InvalidArgumentError("context was not made by OneDnnExecutor::NewContext");
  }
  if (ctx->max_threads == 0) {
    ctx->max_threads = options_.num_threads > 0 ? options_.num_threads : omp_get_max_threads();
  }
  double load = 0;
  if (!options_.shed_threads_under_load || getloadavg(&load, 1) != 1) load = 0;
  const int threads =
      ThreadsForLoad(ctx->max_threads, options_.shed_threads_under_load, load, omp_get_num_procs());
  omp_set_num_threads(threads);
  return TranslateDnnlErrors([&]() -> absl::Status {
    if (ctx->engine == nullptr) {
      ctx->engine = std::make_unique<dnnl::engine>(dnnl::engine::kind::cpu, 0);
      ctx->stream = std::make_unique<dnnl::stream>(*ctx->engine);
    }
    const Plan* plan = nullptr;
    for (const auto& e : ctx->plans) {
      if (e.plan->batch() == batch && e.threads == threads) plan = e.plan.get();
    }
    if (plan == nullptr) {
      GS_ASSIGN_OR_RETURN(auto built,
                          Plan::Build(*graph_, lowered_, batch, *ctx->engine, *ctx->stream));
      ctx->plans.push_back({threads, std::move(built)});
      plan = ctx->plans.back().plan.get();
    }
    return plan->Execute(*ctx->stream, inputs, output);
  });
}

}  // namespace ganserve
