// ganctl inspect: what a model file holds, read offline through the same
// loader and generator checks as ganserve, so a file can be vetted before
// it is deployed.
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/commands.h"
#include "client/offline_model.h"
#include "engine/loaders/load_model.h"
#include "engine/model_options.h"
#include "engine/status_context.h"
#include "engine/status_macros.h"

namespace ganserve::client {
namespace {

void PrintFile(const std::string& path, const LoadedModel& model) {
  const Graph& graph = *model.graph;
  std::vector<std::string> inputs;
  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    inputs.push_back(absl::StrCat(graph.node(graph.inputs()[i]).name, " ",
                                  DimsToString(graph.input_dims(static_cast<int>(i)))));
  }
  const ParamCount params = graph.Params();
  std::cout << absl::StrFormat("file             %s\n", path)
            << absl::StrFormat("  format         %s, saved by %s\n", model.format,
                               model.saver_version.empty() ? "(unknown)" : model.saver_version)
            << absl::StrFormat("  model          %s%s\n", model.model_name,
                               model.sequential ? " (Sequential)" : "")
            << absl::StrFormat("  inputs         %s\n", absl::StrJoin(inputs, ", "))
            << absl::StrFormat(
                   "  output         %s %s\n", DimsToString(graph.output_dims()),
                   model.output_layout == SampleLayout::kChannelsFirst ? "(NCHW)" : "(NHWC)")
            << absl::StrFormat("  parameters     %d (%d trainable)\n", params.total(),
                               params.trainable);
}

void PrintServed(const LoadedGenerator& g, const std::string& json_path, bool json_found) {
  const auto& names = g.label_names();
  std::cout << "as ganserve serves it"
            << (json_found ? absl::StrCat(" (with ", json_path, ")") : " (no model.json)") << ":\n"
            << absl::StrFormat("  latent size    %d\n", g.latent_size())
            << absl::StrFormat("  labels         %d%s\n", g.label_count(),
                               names.empty() ? "" : " (" + absl::StrJoin(names, ", ") + ")")
            << absl::StrFormat("  image          %dx%dx%d (HxWxC, %s), values %g..%g (%s)\n",
                               g.height(), g.width(), g.channels(), g.shape_source(), g.value_min(),
                               g.value_max(), g.range_source())
            << absl::StrFormat(
                   "  latents        %s\n",
                   g.default_distribution() == Distribution::kUniform ? "uniform" : "normal");
}

absl::Status Inspect(const std::string& path, const OfflineModelOptions& o, bool summary) {
  GS_ASSIGN_OR_RETURN(ModelFileLoader load, IsolatedModelLoader());
  GS_ASSIGN_OR_RETURN(LoadedModel model, load(path));
  PrintFile(path, model);
  const std::string json_path = ModelJsonPath(path, o);
  const bool json_found = std::filesystem::exists(json_path);
  if (!o.model_json.empty() && !json_found) {
    return absl::NotFoundError(absl::StrCat("--model-json ", json_path, " does not exist"));
  }
  GS_ASSIGN_OR_RETURN(ModelOptions options, ReadModelOptionsFile(json_path));
  const std::string name = model.model_name.empty() ? "model" : model.model_name;
  const std::string table = model.graph->Summary(name, !model.sequential);
  // The reference executor: building it costs nothing, and inspect runs no images.
  absl::StatusOr<std::unique_ptr<LoadedGenerator>> generator =
      BuildGenerator(std::move(model), std::move(options), ExecutorKind::kReference);
  if (generator.ok()) PrintServed(**generator, json_path, json_found);
  if (summary) std::cout << "\n" << table << "\n";
  if (!generator.ok()) {
    return WithPrefix(absl::StrCat("ganserve would refuse ", path), generator.status());
  }
  return absl::OkStatus();
}

}  // namespace

int InspectCommand(const Args& args) {
  OfflineModelOptions o;
  bool summary = true;
  FlagSet flags("ganctl inspect FILE [--model-json model.json] [--summary=false]",
                "Loads a model file (.h5, .keras, .onnx) offline and prints what ganserve would "
                "serve from it:\nformat, saver version, inputs, latent size, classes, image shape, "
                "value range and the\nKeras-style layer summary. Exit 1 with the loader's error "
                "for a file ganserve would refuse.");
  AddOfflineModelFlags(flags, o, /*with_executor=*/false);
  flags.Bool("summary", &summary, "print the Keras-style layer summary");
  if (int code = ParseOrExit(flags, args); code >= 0) return code;
  if (flags.positional().size() != 1) {
    std::cerr << "give exactly one model FILE (see ganctl inspect --help)\n";
    return kExitUsage;
  }
  const absl::Status status = Inspect(flags.positional()[0], o, summary);
  // A bad file is a runtime failure (1), not a usage error, whatever its code.
  if (!status.ok()) {
    std::cerr << "ganctl inspect: " << status.message() << "\n";
    return kExitRuntimeError;
  }
  return kExitOk;
}

}  // namespace ganserve::client
