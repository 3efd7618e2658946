// ganctl generate: images from a seed, a latents file or an interpolation
// between two seeds, written one file per image and/or as a contact sheet.
#include <filesystem>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/commands.h"
#include "client/generated_image.h"
#include "client/image_files.h"
#include "engine/contact_sheet.h"
#include "engine/latent_interpolation.h"
#include "engine/latent_sampler.h"
#include "engine/npy.h"
#include "engine/status_macros.h"
#include "ganserve/v1/generator.grpc.pb.h"

namespace ganserve::client {
namespace {

using ganserve::v1::GeneratedImage;
using ganserve::v1::GenerateRequest;
using ganserve::v1::ModelInfo;

struct GenerateOptions {
  ConnectionOptions connection;
  std::string model, latents_file, label, format = "png", out_dir, grid;
  int64_t n = 1, seed = 0, steps = 8, columns = 0, scale = 0;
  double truncation = 0;
  std::vector<std::string> interpolate;
  bool stream = false;
};

// One request and how to name and place its images.
struct Job {
  GenerateRequest request;
  std::string prefix;  // file name stem before the index
  int label = -1;
};

ClassNames Classes(const ModelInfo& info) {
  return {info.name(), info.label_count(), {info.label_names().begin(), info.label_names().end()}};
}

absl::StatusOr<std::vector<Job>> PlanJobs(const GenerateOptions& o, const ModelInfo& info) {
  GenerateRequest base;
  base.set_model(o.model);
  base.set_format(o.format == "raw" ? ganserve::v1::IMAGE_FORMAT_RAW_FLOAT32
                                    : ganserve::v1::IMAGE_FORMAT_PNG);
  std::string prefix;
  if (!o.interpolate.empty()) {
    uint64_t a, b;
    if (!absl::SimpleAtoi(o.interpolate[0], &a) || !absl::SimpleAtoi(o.interpolate[1], &b)) {
      return absl::InvalidArgumentError("--interpolate wants two seeds (non-negative integers)");
    }
    if (o.steps < 2) return absl::InvalidArgumentError("--steps must be >= 2");
    // The server's own latents for image 0 of each seed, so the ends of the
    // strip are exactly what `generate --seed A` and `--seed B` give.
    SamplingSpec spec{a,
                      info.default_distribution() == ganserve::v1::LATENT_DISTRIBUTION_UNIFORM
                          ? Distribution::kUniform
                          : Distribution::kNormal,
                      static_cast<float>(o.truncation)};
    std::vector<float> za = SampleLatents(spec, 1, info.latent_size());
    spec.seed = b;
    std::vector<float> zb = SampleLatents(spec, 1, info.latent_size());
    const std::vector<float> path = SlerpPath(za, zb, o.steps);
    base.mutable_latents()->mutable_values()->Add(path.begin(), path.end());
    prefix = absl::StrCat("interp", a, "-", b, "_");
  } else if (!o.latents_file.empty()) {
    GS_ASSIGN_OR_RETURN(Tensor z, ReadNpy(o.latents_file));
    if (z.shape.size() != 2 || z.shape[1] != info.latent_size()) {
      return absl::InvalidArgumentError(absl::StrCat(o.latents_file, ": want shape (N, ",
                                                     info.latent_size(), "), got (",
                                                     absl::StrJoin(z.shape, ", "), ")"));
    }
    base.mutable_latents()->mutable_values()->Add(z.data.begin(), z.data.end());
    prefix = "latent_";
  } else {
    if (o.n < 1) return absl::InvalidArgumentError(absl::StrCat("-n must be >= 1, got ", o.n));
    if (o.seed < 0) return absl::InvalidArgumentError("--seed must be >= 0");
    base.mutable_sampling()->set_seed(o.seed);
    base.mutable_sampling()->set_count(o.n);
    base.mutable_sampling()->set_truncation(o.truncation);
    prefix = absl::StrCat("seed", o.seed, "_");
  }
  std::vector<Job> jobs;
  if (o.label == "all") {
    if (info.label_count() == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--label all: model '", info.name(), "' is unconditional"));
    }
    for (int c = 0; c < static_cast<int>(info.label_count()); ++c) {
      Job job{base, prefix, c};
      job.request.add_labels(c);
      jobs.push_back(std::move(job));
    }
    return jobs;
  }
  Job job{base, prefix, -1};
  if (!o.label.empty()) {
    GS_ASSIGN_OR_RETURN(job.label, ResolveLabel(o.label, Classes(info)));
    job.request.add_labels(job.label);
  } else if (info.label_count() > 0) {
    return absl::InvalidArgumentError(absl::StrCat("model '", info.name(),
                                                   "' is conditional: give --label (0..",
                                                   info.label_count() - 1, ", a name, or all)"));
  }
  jobs.push_back(std::move(job));
  return jobs;
}

absl::StatusOr<std::vector<GeneratedImage>> Call(ganserve::v1::Generator::Stub& stub,
                                                 const Connection& connection,
                                                 const GenerateRequest& request, bool stream) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
  connection.Prepare(context);
  std::vector<GeneratedImage> images;
  grpc::Status status;
  if (stream) {
    auto reader = stub.GenerateStream(&context, request);
    GeneratedImage image;
    while (reader->Read(&image)) images.push_back(image);
    status = reader->Finish();
  } else {
    ganserve::v1::GenerateResponse response;
    status = stub.Generate(&context, request, &response);
    images.assign(response.images().begin(), response.images().end());
  }
  if (!status.ok()) {
    return absl::UnavailableError(
        absl::StrCat("Generate failed (code ", status.error_code(), "): ", status.error_message()));
  }
  return images;
}

absl::Status Generate(const GenerateOptions& o) {
  GS_ASSIGN_OR_RETURN(auto connection, Connection::Open(o.connection));
  auto stub = ganserve::v1::Generator::NewStub(connection->NewChannel(0));
  ModelInfo info;
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    connection->Prepare(context);
    ganserve::v1::GetModelRequest request;
    request.set_name(o.model);
    const grpc::Status status = stub->GetModel(&context, request, &info);
    if (!status.ok())
      return absl::UnavailableError(absl::StrCat("GetModel: ", status.error_message()));
  }
  GS_ASSIGN_OR_RETURN(std::vector<Job> jobs, PlanJobs(o, info));
  if (!o.out_dir.empty()) std::filesystem::create_directories(o.out_dir);
  std::vector<std::vector<Image8>> rows;
  int written = 0;
  for (const Job& job : jobs) {
    GS_ASSIGN_OR_RETURN(std::vector<GeneratedImage> images,
                        Call(*stub, *connection, job.request, o.stream));
    std::vector<Image8> row;
    for (const GeneratedImage& image : images) {
      GS_ASSIGN_OR_RETURN(Image8 pixels, ToImage8(image, info.value_min(), info.value_max()));
      if (!o.out_dir.empty()) {
        const std::string stem =
            ImageStem(o.out_dir, job.prefix, image.index(), LabelText(job.label, Classes(info)));
        if (o.format == "raw") {
          GS_ASSIGN_OR_RETURN(std::vector<float> values, RawFloats(image));
          GS_RETURN_IF_ERROR(WriteNpy(
              stem + ".npy", Tensor({image.height(), image.width(), image.channels()}, values)));
        } else {
          GS_ASSIGN_OR_RETURN(std::string png, EncodePng(pixels));
          GS_RETURN_IF_ERROR(WriteFile(stem + ".png", png));
        }
        ++written;
      }
      row.push_back(std::move(pixels));
    }
    if (jobs.size() > 1) {
      std::cout << "row " << rows.size() << ": " << LabelText(job.label, Classes(info)) << "\n";
      rows.push_back(std::move(row));
    } else {
      const int columns = o.interpolate.empty() || o.columns > 0
                              ? SheetColumns(o.columns, row.size())
                              : static_cast<int>(row.size());
      rows = ToRows(std::move(row), columns);
    }
  }
  if (!o.out_dir.empty()) std::cout << "wrote " << written << " files to " << o.out_dir << "\n";
  if (!o.grid.empty()) GS_RETURN_IF_ERROR(WriteContactSheet(o.grid, rows, o.scale));
  return absl::OkStatus();
}

}  // namespace

int GenerateCommand(const Args& args) {
  GenerateOptions o;
  FlagSet flags(
      "ganctl generate [-n N] [--seed S | --latents z.npy | --interpolate A B --steps K] "
      "[--label L|all] (--out DIR | --out/--grid FILE.png)",
      "Generates images on the server and writes them as files or as a contact sheet.");
  AddConnectionFlags(flags, o.connection);
  flags.String("model", &o.model, "model name (default: the server's default model)");
  flags.Int("n,n", &o.n, "number of images, with --seed");
  flags.Int("seed", &o.seed, "server-side sampling seed: image i uses latent i of this seed");
  flags.String("latents", &o.latents_file, ".npy float32 array of shape (N, latent_size)");
  flags.Strings("interpolate", 2, &o.interpolate,
                "walk from seed A's latent to seed B's (spherical)");
  flags.Int("steps", &o.steps, "images in the --interpolate strip, ends included");
  flags.Double("truncation", &o.truncation,
               "redraw normal latent values beyond this magnitude (> 0)");
  flags.String("label", &o.label,
               "class for conditional models: number, name, or 'all' (one row per class)");
  flags.String("format", &o.format, "png, or raw (float32 model values, written as .npy)");
  flags.String("out,o", &o.out_dir,
               "DIR: one file per image, named by seed/index; a path ending in .png: the "
               "contact sheet (as --grid)");
  flags.String("grid", &o.grid, "write a contact sheet PNG here");
  flags.Int("columns", &o.columns, "contact sheet columns (default: square, or one strip)");
  flags.Int("scale", &o.scale, kScaleHelp);
  flags.Bool("stream", &o.stream, "use GenerateStream (one image per message)");
  if (int code = ParseOrExit(flags, args); code >= 0) return code;

  std::string usage_error;
  if (absl::Status sheet = SheetFromOutPath(o.out_dir, o.grid); !sheet.ok())
    usage_error = std::string(sheet.message());
  const int sources = flags.WasSet("seed") + !o.latents_file.empty() + !o.interpolate.empty();
  if (sources > 1) usage_error = "give only one of --seed, --latents and --interpolate";
  if (o.out_dir.empty() && o.grid.empty()) usage_error = "give --out DIR and/or --grid FILE.png";
  if (std::string scale = CheckScale(o.scale); !scale.empty()) usage_error = scale;
  if (o.format != "png" && o.format != "raw")
    usage_error = "--format must be png or raw, got '" + o.format + "'";
  if (!flags.positional().empty())
    usage_error = "unexpected argument '" + flags.positional()[0] + "'";
  if (!usage_error.empty()) {
    std::cerr << usage_error << " (see ganctl generate --help)\n";
    return kExitUsage;
  }
  const absl::Status status = Generate(o);
  return status.ok() ? kExitOk : Fail("generate", status);
}

}  // namespace ganserve::client
