// ganctl render: images from a model file offline, with ganserve's own
// sampler, batching and PNG encoding, so `render FILE --seed S` writes the
// same bytes as `generate --seed S` against a ganserve serving FILE.
#include <cmath>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/commands.h"
#include "client/image_files.h"
#include "client/offline_model.h"
#include "engine/contact_sheet.h"
#include "engine/generation.h"
#include "engine/latent_sampler.h"
#include "engine/npy.h"
#include "engine/status_macros.h"

namespace ganserve::client {
namespace {

constexpr int64_t kMaxImages = 100000;

struct RenderOptions {
  OfflineModelOptions model;
  std::string precision;  // empty: model.json's, else f32
  std::string label, out_dir, grid, latents_file, labels_file, npy_file;
  int64_t n = 1, seed = 0, columns = 0, batch = 16, scale = 0;
  double truncation = 0;
};

// One row of the output: its latents (count × latent size) and one label
// per image (empty for an unconditional model).
struct RenderJob {
  std::vector<float> latents;
  std::vector<int32_t> labels;
  int row_label = -1;  // for file names and the contact sheet
};

struct Rendered {
  std::vector<Image8> images;
  Tensor raw;  // the graph's own outputs, [N, ...] in the file's layout
};

// Runs a job in chunks of `batch`, as ganserve's batcher (--max_batch) does.
absl::StatusOr<Rendered> Render(const LoadedGenerator& g, const RenderJob& job, int64_t batch) {
  const int64_t count = static_cast<int64_t>(job.latents.size()) / g.latent_size();
  auto context = g.NewContext();
  Rendered rendered;
  Tensor output, images;
  for (int64_t first = 0; first < count; first += batch) {
    const int64_t n = std::min(batch, count - first);
    const auto latents =
        absl::MakeConstSpan(job.latents).subspan(first * g.latent_size(), n * g.latent_size());
    const auto labels = job.labels.empty() ? absl::Span<const int32_t>()
                                           : absl::MakeConstSpan(job.labels).subspan(first, n);
    GS_RETURN_IF_ERROR(g.RunGraph(*context, latents, labels, output));
    rendered.raw.data.insert(rendered.raw.data.end(), output.data.begin(), output.data.end());
    if (rendered.raw.shape.empty()) rendered.raw.shape = output.shape;
    g.ImagesFromGraphOutput(std::move(output), images);
    for (int64_t i = 0; i < n; ++i) {
      // The server's encoder, so files and sheets hold the bytes ganserve sends.
      GS_ASSIGN_OR_RETURN(std::string bytes, EncodeImage(g, images.data.data() + i * g.image_size(),
                                                         ImageEncoding::kRawUint8));
      rendered.images.push_back(
          {g.height(), g.width(), g.channels(), std::vector<uint8_t>(bytes.begin(), bytes.end())});
    }
  }
  rendered.raw.shape[0] = count;
  return rendered;
}

// --latents: an N×Z (or Z) float array for a model with latent size Z.
absl::StatusOr<std::vector<float>> ReadLatents(const std::string& path, const LoadedGenerator& g) {
  GS_ASSIGN_OR_RETURN(Tensor z, ReadNpy(path));
  const bool one = z.shape.size() == 1 && z.shape[0] == g.latent_size();
  const bool many = z.shape.size() == 2 && z.shape[0] > 0 && z.shape[1] == g.latent_size();
  if (!one && !many) {
    return absl::InvalidArgumentError(absl::StrCat("--latents ", path, " has shape ",
                                                   absl::StrJoin(z.shape, "x"),
                                                   "; the model wants N x ", g.latent_size()));
  }
  for (float v : z.data) {
    if (!std::isfinite(v))
      return absl::InvalidArgumentError(
          absl::StrCat("--latents ", path, " holds a non-finite value"));
  }
  return std::move(z.data);
}

// --labels: N (or N×1) class indices, or a single one for every image.
absl::StatusOr<std::vector<int32_t>> ReadLabels(const std::string& path, const LoadedGenerator& g,
                                                int64_t count) {
  GS_ASSIGN_OR_RETURN(Tensor y, ReadNpy(path));
  const int64_t n = static_cast<int64_t>(y.data.size());
  if (n != count && n != 1) {
    return absl::InvalidArgumentError(absl::StrCat("--labels ", path, " holds ", n,
                                                   " values; give one per latent (", count,
                                                   ") or one for all"));
  }
  std::vector<int32_t> labels;
  for (float v : y.data) {
    if (v != std::floor(v) || v < 0 || v >= g.label_count()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--labels ", path, ": ", v, " is not a class in [0, ", g.label_count(), ")"));
    }
    labels.push_back(static_cast<int32_t>(v));
  }
  if (n == 1) labels.assign(count, labels[0]);
  return labels;
}

// Validates and completes a job as ganserve validates a request: the same
// core (engine/generation.h) checks latents and labels and samples a seed.
absl::StatusOr<RenderJob> Prepared(const LoadedGenerator& g, GenerationRequest request,
                                   int row_label) {
  GenerationLimits limits;
  limits.max_images_per_request = kMaxImages;
  GS_ASSIGN_OR_RETURN(PreparedGeneration work, PrepareGeneration(g, request, limits));
  return RenderJob{std::move(work.latents), std::move(work.labels), row_label};
}

// --latents (and --labels or one --label): a single job.
absl::StatusOr<std::vector<RenderJob>> JobFromFiles(const std::string& path, const RenderOptions& o,
                                                    const LoadedGenerator& g,
                                                    const ClassNames& classes) {
  RenderJob job;
  GS_ASSIGN_OR_RETURN(job.latents, ReadLatents(o.latents_file, g));
  const int64_t count = static_cast<int64_t>(job.latents.size()) / g.latent_size();
  if (!o.labels_file.empty()) {
    if (!g.conditional())
      return absl::InvalidArgumentError(absl::StrCat(path, " is unconditional: drop --labels"));
    GS_ASSIGN_OR_RETURN(job.labels, ReadLabels(o.labels_file, g, count));
  } else if (g.conditional()) {
    if (o.label.empty() || o.label == "all") {
      return absl::InvalidArgumentError(absl::StrCat(
          path, " is conditional: with --latents give --labels FILE.npy or one --label"));
    }
    GS_ASSIGN_OR_RETURN(job.row_label, ResolveLabel(o.label, classes));
    job.labels.assign(count, job.row_label);
  } else if (!o.label.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is unconditional: drop --label"));
  }
  GenerationRequest request;
  request.latents = std::move(job.latents);
  request.labels = std::move(job.labels);
  GS_ASSIGN_OR_RETURN(RenderJob prepared, Prepared(g, std::move(request), job.row_label));
  return std::vector<RenderJob>{std::move(prepared)};
}

// -n images of --seed: one job per class with --label all, else one.
absl::StatusOr<std::vector<RenderJob>> JobsFromSeed(const std::string& path, const RenderOptions& o,
                                                    const LoadedGenerator& g,
                                                    const ClassNames& classes) {
  std::vector<int> labels;
  if (o.label == "all") {
    if (!g.conditional()) {
      return absl::InvalidArgumentError(absl::StrCat("--label all: ", path, " is unconditional"));
    }
    for (int c = 0; c < g.label_count(); ++c) labels.push_back(c);
  } else if (!o.label.empty()) {
    if (!g.conditional()) {
      return absl::InvalidArgumentError(absl::StrCat(path, " is unconditional: drop --label"));
    }
    GS_ASSIGN_OR_RETURN(int label, ResolveLabel(o.label, classes));
    labels.push_back(label);
  } else if (g.conditional()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is conditional: give --label (0..",
                                                   g.label_count() - 1, ", a name, or all)"));
  } else {
    labels.push_back(-1);
  }
  std::vector<RenderJob> jobs;
  for (int label : labels) {
    GenerationRequest request;
    request.seed = static_cast<uint64_t>(o.seed);
    request.count = o.n;
    request.truncation = static_cast<float>(o.truncation);
    if (label >= 0) request.labels = {label};
    GS_ASSIGN_OR_RETURN(RenderJob job, Prepared(g, std::move(request), label));
    jobs.push_back(std::move(job));
  }
  return jobs;
}

absl::Status RenderFile(const std::string& path, const RenderOptions& o) {
  GS_ASSIGN_OR_RETURN(ExecutorKind executor, ParseExecutor(o.model.executor));
  const std::string json_path = ModelJsonPath(path, o.model);
  if (!o.model.model_json.empty() && !std::filesystem::exists(json_path)) {
    return absl::NotFoundError(absl::StrCat("--model-json ", json_path, " does not exist"));
  }
  GeneratorLoadOptions load;
  load.executor = executor;
  GS_ASSIGN_OR_RETURN(load.loader, IsolatedModelLoader());
  if (!o.precision.empty()) {
    GS_ASSIGN_OR_RETURN(load.precision_override, ParsePrecision(o.precision));
  }
  absl::StatusOr<std::unique_ptr<LoadedGenerator>> loaded = LoadGenerator(path, json_path, load);
  // A file ganserve would refuse is a runtime failure (exit 1), whatever its code.
  if (!loaded.ok()) return absl::FailedPreconditionError(loaded.status().message());
  const std::unique_ptr<LoadedGenerator>& g = *loaded;
  const ClassNames classes{path, g->label_count(), g->label_names()};
  GS_ASSIGN_OR_RETURN(std::vector<RenderJob> jobs, o.latents_file.empty()
                                                       ? JobsFromSeed(path, o, *g, classes)
                                                       : JobFromFiles(path, o, *g, classes));
  const std::string prefix =
      o.latents_file.empty() ? absl::StrCat("seed", o.seed, "_") : std::string("latent_");
  if (!o.out_dir.empty()) std::filesystem::create_directories(o.out_dir);
  std::vector<std::vector<Image8>> rows;
  Tensor raw;
  int64_t written = 0;
  for (const RenderJob& job : jobs) {
    GS_ASSIGN_OR_RETURN(Rendered rendered, Render(*g, job, o.batch));
    std::vector<Image8>& images = rendered.images;
    for (size_t i = 0; i < images.size() && !o.out_dir.empty(); ++i, ++written) {
      GS_ASSIGN_OR_RETURN(std::string png, EncodePng(images[i]));
      const std::string label_text =
          job.labels.empty() ? LabelText(-1, classes) : LabelText(job.labels[i], classes);
      const std::string stem = ImageStem(o.out_dir, prefix, static_cast<int64_t>(i), label_text);
      GS_RETURN_IF_ERROR(WriteFile(stem + ".png", png));
    }
    if (raw.shape.empty()) {
      raw = std::move(rendered.raw);
    } else {
      raw.shape[0] += rendered.raw.shape[0];
      raw.data.insert(raw.data.end(), rendered.raw.data.begin(), rendered.raw.data.end());
    }
    if (jobs.size() > 1) {
      std::cout << "row " << rows.size() << ": " << LabelText(job.row_label, classes) << "\n";
      rows.push_back(std::move(images));
    } else {
      const int64_t count = static_cast<int64_t>(images.size());
      rows = ToRows(std::move(images), SheetColumns(o.columns, count));
    }
  }
  if (!o.out_dir.empty()) std::cout << "wrote " << written << " files to " << o.out_dir << "\n";
  if (!o.grid.empty()) GS_RETURN_IF_ERROR(WriteContactSheet(o.grid, rows, o.scale));
  if (!o.npy_file.empty()) {
    GS_RETURN_IF_ERROR(WriteNpy(o.npy_file, raw));
    std::cout << "wrote " << absl::StrJoin(raw.shape, "x") << " float32 outputs to " << o.npy_file
              << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

int RenderCommand(const Args& args) {
  RenderOptions o;
  FlagSet flags(
      "ganctl render FILE [-n N] [--seed S | --latents z.npy [--labels y.npy]] [--label L|all]\n"
      "                   (--out DIR | --out/--grid FILE.png | --npy out.npy)",
      "Generates images from a model file offline, without a server. Same sampler, batching "
      "and\nPNG encoding as ganserve: the files equal `ganctl generate` against a ganserve "
      "serving FILE.");
  AddOfflineModelFlags(flags, o.model, /*with_executor=*/true);
  flags.String(
      "precision", &o.precision,
      "f32, bf16 (needs avx512_bf16 or AMX) or auto; overrides model.json's \"precision\"");
  flags.Int("n,n", &o.n, "number of images");
  flags.Int("seed", &o.seed, "sampling seed: image i uses latent i of this seed");
  flags.Double("truncation", &o.truncation,
               "redraw normal latent values beyond this magnitude (> 0)");
  flags.String("label", &o.label,
               "class for conditional models: number, name, or 'all' (one row per class)");
  flags.String("out,o", &o.out_dir,
               "DIR: one PNG per image, named by seed/index; a path ending in .png: the "
               "contact sheet (as --grid)");
  flags.String("grid", &o.grid, "write a contact sheet PNG here");
  flags.Int("columns", &o.columns, "contact sheet columns (default: square)");
  flags.Int("scale", &o.scale, kScaleHelp);
  flags.String("latents", &o.latents_file,
               "N x Z float32 .npy: render these latents instead of sampling a seed");
  flags.String("labels", &o.labels_file,
               "with --latents: .npy of N class indices (or one for all)");
  flags.String("npy", &o.npy_file,
               "write the raw float32 outputs here as .npy, [N, ...] in the file's own layout "
               "(NHWC for Keras, NCHW for ONNX)");
  flags.Int("batch", &o.batch, "images per engine run, like ganserve's --max_batch");
  if (int code = ParseOrExit(flags, args); code >= 0) return code;

  std::string usage_error;
  if (absl::Status sheet = SheetFromOutPath(o.out_dir, o.grid); !sheet.ok())
    usage_error = std::string(sheet.message());
  if (flags.positional().size() != 1) usage_error = "give exactly one model FILE";
  if (o.out_dir.empty() && o.grid.empty() && o.npy_file.empty())
    usage_error = "give --out DIR, --grid FILE.png and/or --npy FILE.npy";
  if (!o.labels_file.empty() && o.latents_file.empty())
    usage_error = "--labels goes with --latents";
  if (o.n < 1 || o.n > kMaxImages) {
    usage_error = absl::StrCat("-n must be 1 to ", kMaxImages, ", got ", o.n);
  }
  if (o.seed < 0) usage_error = "--seed must be >= 0";
  if (o.batch < 1) usage_error = "--batch must be >= 1";
  if (std::string scale = CheckScale(o.scale); !scale.empty()) usage_error = scale;
  if (o.truncation < 0) usage_error = "--truncation must be 0 (off) or positive";
  if (!usage_error.empty()) {
    std::cerr << usage_error << " (see ganctl render --help)\n";
    return kExitUsage;
  }
  const absl::Status status = RenderFile(flags.positional()[0], o);
  return status.ok() ? kExitOk : Fail("render", status);
}

}  // namespace ganserve::client
