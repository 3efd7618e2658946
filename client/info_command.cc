// ganctl info: the server's models with their metadata and Keras summary.
#include <iostream>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/commands.h"
#include "ganserve/v1/generator.grpc.pb.h"

namespace ganserve::client {
namespace {

void Print(const ganserve::v1::ModelInfo& m, bool summary) {
  std::cout << absl::StrFormat("model %s%s\n", m.name(), m.is_default() ? " (default)" : "")
            << absl::StrFormat("  version          %s\n", m.version())
            << absl::StrFormat("  source           %s (%s, saved by %s)\n", m.source_path(),
                               m.source_format(), m.saver_version())
            << absl::StrFormat("  latent size      %d\n", m.latent_size())
            << absl::StrFormat(
                   "  labels           %d%s\n", m.label_count(),
                   m.label_names_size() ? " (" + absl::StrJoin(m.label_names(), ", ") + ")" : "")
            << absl::StrFormat("  output           %dx%dx%d (%s), values %g..%g (%s)\n",
                               m.output_height(), m.output_width(), m.output_channels(),
                               m.shape_source(), m.value_min(), m.value_max(), m.range_source())
            << absl::StrFormat("  parameters       %d\n", m.parameter_count())
            << absl::StrFormat("  precision        %s\n", m.precision())
            << absl::StrFormat("  default latents  %s\n",
                               m.default_distribution() == ganserve::v1::LATENT_DISTRIBUTION_UNIFORM
                                   ? "uniform"
                                   : "normal")
            << absl::StrFormat("  images / batches %d / %d\n", m.images_generated(),
                               m.batches_run());
  if (summary && !m.summary().empty()) std::cout << "\n" << m.summary() << "\n";
}

}  // namespace

int InfoCommand(const Args& args) {
  ConnectionOptions connection_options;
  std::string model;
  bool summary = true;
  FlagSet flags(
      "ganctl info [--target host:port] [--model M]",
      "Lists the server's models (or one, with --model) with their metadata and summary.");
  AddConnectionFlags(flags, connection_options);
  flags.String("model", &model, "show only this model ('' with --model= shows the default)");
  flags.Bool("summary", &summary, "print the Keras-style layer summary");
  if (int code = ParseOrExit(flags, args); code >= 0) return code;

  auto connection = Connection::Open(connection_options);
  if (!connection.ok()) return Fail("info", connection.status());
  auto stub = ganserve::v1::Generator::NewStub((*connection)->NewChannel(0));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  (*connection)->Prepare(context);
  if (flags.WasSet("model")) {
    ganserve::v1::GetModelRequest request;
    request.set_name(model);
    ganserve::v1::ModelInfo info;
    grpc::Status status = stub->GetModel(&context, request, &info);
    if (!status.ok()) return Fail("info", absl::UnavailableError(status.error_message()));
    Print(info, summary);
    return kExitOk;
  }
  ganserve::v1::ListModelsResponse response;
  grpc::Status status = stub->ListModels(&context, {}, &response);
  if (!status.ok()) return Fail("info", absl::UnavailableError(status.error_message()));
  if (response.models_size() == 0) std::cout << "no models\n";
  for (const auto& m : response.models()) Print(m, summary);
  return kExitOk;
}

}  // namespace ganserve::client
