#include "tests/engine/loaders/keras/keras_test_util.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/npy.h"
#include "engine/reference/reference_executor.h"
#include "engine/status_macros.h"

namespace ganserve {

absl::StatusOr<Tensor> RunReference(const LoadedModel& model, std::vector<Tensor> inputs) {
  ReferenceExecutor exec(model.graph);
  auto ctx = exec.NewContext();
  Tensor out;
  GS_RETURN_IF_ERROR(exec.Run(*ctx, inputs, out));
  return out;
}

namespace {

absl::StatusOr<Tensor> RunWith(const LoadedModel& model, std::vector<Tensor> inputs,
                               ExecutorKind kind) {
  if (kind == ExecutorKind::kReference) return RunReference(model, std::move(inputs));
  GS_ASSIGN_OR_RETURN(std::unique_ptr<Executor> exec, CreateExecutor(model.graph, kind));
  auto ctx = exec->NewContext();
  Tensor out;
  GS_RETURN_IF_ERROR(exec->Run(*ctx, inputs, out));
  return out;
}

}  // namespace

absl::StatusOr<double> RelativeErrorOnSavedInputs(const LoadedModel& model, const std::string& dir,
                                                  ExecutorKind executor) {
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < model.graph->inputs().size(); ++i) {
    std::string found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (absl::StartsWith(name, absl::StrCat("input", i))) found = entry.path().string();
    }
    if (found.empty()) return absl::NotFoundError(absl::StrCat(dir, ": no input", i, "*.npy"));
    GS_ASSIGN_OR_RETURN(Tensor t, ReadNpy(found));
    inputs.push_back(std::move(t));
  }
  GS_ASSIGN_OR_RETURN(Tensor expected, ReadNpy(dir + "/expected.npy"));
  GS_ASSIGN_OR_RETURN(Tensor out, RunWith(model, std::move(inputs), executor));
  if (out.shape != expected.shape) {
    return absl::FailedPreconditionError(absl::StrCat(
        "output shape ", DimsToString(out.shape), " != expected ", DimsToString(expected.shape)));
  }
  double diff = 0, norm = 0;
  for (size_t i = 0; i < out.data.size(); ++i) {
    diff += std::pow(double(out.data[i]) - expected.data[i], 2);
    norm += std::pow(double(expected.data[i]), 2);
  }
  return std::sqrt(diff / std::max(norm, 1e-30));
}

}  // namespace ganserve
