// ganctl render: images from a model file offline, with ganserve's own
// sampler, batching and PNG encoding, so `render FILE --seed S` writes the
// same bytes as `generate --seed S` against a ganserve serving FILE.
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "client/commands.h"
#include "client/contact_sheet.h"
#include "client/image_files.h"
#include "client/offline_model.h"
#include "engine/latent_sampler.h"
#include "engine/status_macros.h"

namespace ganserve::client {
namespace {

struct RenderOptions {
  OfflineModelOptions model;
  std::string label, out_dir, grid;
  int64_t n = 1, seed = 0, columns = 0, batch = 16;
  double truncation = 0;
};

// Images `count` of seed `spec.seed`, class `label` (-1: none), run in
// chunks of `batch` like ganserve's batcher (--max_batch) runs them.
absl::StatusOr<std::vector<Image8>> Render(const Generator& g, const SamplingSpec& spec,
                                           int64_t count, int label, int64_t batch) {
  const std::vector<float> latents = SampleLatents(spec, count, g.latent_size());
  auto context = g.NewContext();
  std::vector<Image8> images;
  Tensor output;
  for (int64_t first = 0; first < count; first += batch) {
    const int64_t n = std::min(batch, count - first);
    const std::vector<int32_t> labels(label < 0 ? 0 : n, label);
    GS_RETURN_IF_ERROR(g.Run(*context,
                             absl::MakeConstSpan(latents).subspan(first * g.latent_size(),
                                                                  n * g.latent_size()),
                             labels, output));
    for (int64_t i = 0; i < n; ++i) {
      const absl::Span<const float> values(output.data.data() + i * g.image_size(),
                                           g.image_size());
      images.push_back({g.height(), g.width(), g.channels(),
                        ToUint8(values, g.value_min(), g.value_max())});
    }
  }
  return images;
}

absl::Status RenderFile(const std::string& path, const RenderOptions& o) {
  GS_ASSIGN_OR_RETURN(ExecutorKind executor, ParseExecutor(o.model.executor));
  const std::string json_path = ModelJsonPath(path, o.model);
  if (!o.model.model_json.empty() && !std::filesystem::exists(json_path)) {
    return absl::NotFoundError(absl::StrCat("--model-json ", json_path, " does not exist"));
  }
  GeneratorLoadOptions load;
  load.executor = executor;
  absl::StatusOr<std::unique_ptr<Generator>> loaded = LoadGenerator(path, json_path, load);
  // A file ganserve would refuse is a runtime failure (exit 1), whatever its code.
  if (!loaded.ok()) return absl::FailedPreconditionError(loaded.status().message());
  const std::unique_ptr<Generator>& g = *loaded;
  const ClassNames classes{path, g->label_count(), g->label_names()};
  std::vector<int> labels;
  if (o.label == "all") {
    if (!g->conditional()) {
      return absl::InvalidArgumentError(absl::StrCat("--label all: ", path, " is unconditional"));
    }
    for (int c = 0; c < g->label_count(); ++c) labels.push_back(c);
  } else if (!o.label.empty()) {
    if (!g->conditional()) {
      return absl::InvalidArgumentError(absl::StrCat(path, " is unconditional: drop --label"));
    }
    GS_ASSIGN_OR_RETURN(int label, ResolveLabel(o.label, classes));
    labels.push_back(label);
  } else if (g->conditional()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is conditional: give --label (0..",
                                                   g->label_count() - 1, ", a name, or all)"));
  } else {
    labels.push_back(-1);
  }
  const SamplingSpec spec{static_cast<uint64_t>(o.seed), g->default_distribution(),
                          static_cast<float>(o.truncation)};
  if (!o.out_dir.empty()) std::filesystem::create_directories(o.out_dir);
  std::vector<std::vector<Image8>> rows;
  for (int label : labels) {
    GS_ASSIGN_OR_RETURN(std::vector<Image8> images, Render(*g, spec, o.n, label, o.batch));
    for (size_t i = 0; i < images.size() && !o.out_dir.empty(); ++i) {
      GS_ASSIGN_OR_RETURN(std::string png, EncodePng(images[i]));
      const std::string stem = ImageStem(o.out_dir, absl::StrCat("seed", o.seed, "_"),
                                         static_cast<int64_t>(i), LabelText(label, classes));
      GS_RETURN_IF_ERROR(WriteFile(stem + ".png", png));
    }
    if (labels.size() > 1) {
      std::cout << "row " << rows.size() << ": " << LabelText(label, classes) << "\n";
      rows.push_back(std::move(images));
    } else {
      rows = ToRows(std::move(images), SheetColumns(o.columns, o.n));
    }
  }
  if (!o.out_dir.empty()) {
    std::cout << "wrote " << o.n * static_cast<int64_t>(labels.size()) << " files to "
              << o.out_dir << "\n";
  }
  if (!o.grid.empty()) GS_RETURN_IF_ERROR(WriteContactSheet(o.grid, rows));
  return absl::OkStatus();
}

}  // namespace

int RenderCommand(const Args& args) {
  RenderOptions o;
  FlagSet flags(
      "ganctl render FILE [-n N] [--seed S] [--label L|all] (--out DIR | --grid FILE.png)",
      "Generates images from a model file offline, without a server. Same sampler, batching "
      "and\nPNG encoding as ganserve: the files equal `ganctl generate` against a ganserve "
      "serving FILE.");
  AddOfflineModelFlags(flags, o.model, /*with_executor=*/true);
  flags.Int("n,n", &o.n, "number of images");
  flags.Int("seed", &o.seed, "sampling seed: image i uses latent i of this seed");
  flags.Double("truncation", &o.truncation,
               "redraw normal latent values beyond this magnitude (> 0)");
  flags.String("label", &o.label,
               "class for conditional models: number, name, or 'all' (one row per class)");
  flags.String("out,o", &o.out_dir, "directory for one PNG per image, named by seed/index");
  flags.String("grid", &o.grid, "write a contact sheet PNG here");
  flags.Int("columns", &o.columns, "contact sheet columns (default: square)");
  flags.Int("batch", &o.batch, "images per engine run, like ganserve's --max_batch");
  if (int code = ParseOrExit(flags, args); code >= 0) return code;

  std::string usage_error;
  if (flags.positional().size() != 1) usage_error = "give exactly one model FILE";
  if (o.out_dir.empty() && o.grid.empty()) usage_error = "give --out DIR and/or --grid FILE.png";
  if (o.n < 1 || o.n > 100000) usage_error = absl::StrCat("-n must be 1 to 100000, got ", o.n);
  if (o.seed < 0) usage_error = "--seed must be >= 0";
  if (o.batch < 1) usage_error = "--batch must be >= 1";
  if (o.truncation < 0) usage_error = "--truncation must be 0 (off) or positive";
  if (!usage_error.empty()) {
    std::cerr << usage_error << " (see ganctl render --help)\n";
    return kExitUsage;
  }
  const absl::Status status = RenderFile(flags.positional()[0], o);
  return status.ok() ? kExitOk : Fail("render", status);
}

}  // namespace ganserve::client
