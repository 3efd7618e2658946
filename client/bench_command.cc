// ganctl bench: load-tests a server or a fleet and reports latency,
// throughput and errors; exits 3 when a CI threshold is breached. With a
// model file first (ganctl bench FILE) it benchmarks the engine offline.
#include <chrono>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/bench_report.h"
#include "client/bench_runner.h"
#include "client/commands.h"
#include "client/progress_bar.h"
#include "ganserve/v1/generator.grpc.pb.h"
#include "engine/host_port.h"

namespace ganserve::client {
namespace {

// A conditional model refuses requests without labels, so when none are
// given bench cycles over all of the model's classes. An unreachable server
// is left for the run itself to report.
std::vector<int32_t> AllLabelsOfModel(const Connection& connection, const std::string& model) {
  auto stub = ganserve::v1::Generator::NewStub(connection.NewChannel(0));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  connection.Prepare(context);
  ganserve::v1::GetModelRequest request;
  request.set_name(model);
  ganserve::v1::ModelInfo info;
  std::vector<int32_t> labels;
  if (!stub->GetModel(&context, request, &info).ok()) return labels;
  for (uint32_t label = 0; label < info.label_count(); ++label) labels.push_back(label);
  return labels;
}

// --http-target, or the host of the gRPC --target with the HTTP port's default.
absl::StatusOr<HttpBenchTarget> HttpTargetOf(const std::string& http_target,
                                             const std::string& grpc_target) {
  HttpBenchTarget target;
  if (http_target.empty()) {
    absl::StatusOr<HostPort> grpc = SplitHostPort(grpc_target);
    target.host = grpc.ok() && !grpc->host.empty() ? grpc->host : "localhost";
    return target;
  }
  absl::StatusOr<HostPort> split = SplitHostPort(http_target);
  if (!split.ok()) return split.status();
  if (split->host.empty() || split->port.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http-target wants host:port, got '", http_target, "'"));
  }
  target.host = split->host;
  target.port = std::stoi(split->port);
  return target;
}

}  // namespace

int BenchCommand(const Args& args) {
  // A model file before any flag: the offline, engine-only form.
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') return OfflineBenchCommand(args);
  ConnectionOptions connection_options;
  BenchOptions o;
  int64_t concurrency = 1, connections = 1, batch = 1, seed = 1,
          max_outstanding = o.max_outstanding;
  std::string labels, format = "text", progress = "auto", api = "native", http_target;
  int64_t seed_cycle = 0;
  Thresholds thresholds;
  double max_error_rate = -1;
  FlagSet flags(
      "ganctl bench [--target a,b,c] (--concurrency C | --rate R) (--duration D | --requests N)",
      "Load-tests Generate (--api v2: ModelInfer). Closed loop keeps C requests in flight; open "
      "loop sends R requests/s "
      "on a\n"
      "fixed schedule and measures latency from each request's scheduled time (no coordinated\n"
      "omission). Exit 3 when --max-p99 or --max-error-rate is breached.\n"
      "ganctl bench FILE [flags] benchmarks the engine on a model file offline (FILE --help).");
  AddConnectionFlags(flags, connection_options);
  flags.String("api", &api,
               "what each request calls: native (ganserve.v1 Generate), v2 (Open Inference "
               "Protocol ModelInfer, png output) or http (GET /v1/models/M/images/SEED.png; "
               "grid.png for -b > 1)");
  flags.String("http-target", &http_target,
               "--api http: host:port of the HTTP port (default: the --target host, port 8080)");
  flags.String("model", &o.model, "model name (default: the server's default)");
  flags.Int("concurrency,c", &concurrency, "closed loop: requests in flight");
  flags.Double("rate,r", &o.rate, "open loop: requests per second (overrides --concurrency)");
  flags.Duration("duration,d", &o.duration, "length of the measured phase, e.g. 30s");
  flags.Int("requests,N", &o.requests, "number of measured requests (instead of --duration)");
  flags.Duration("warmup", &o.warmup, "load sent first and not counted");
  flags.Int("connections", &connections,
            "channels to spread calls over, each with its own TCP connections");
  flags.Int("batch,b", &batch, "images per request");
  flags.String("labels", &labels,
               "comma-separated class labels, cycled over the images (default for a conditional "
               "model: all of its classes)");
  flags.Duration("deadline", &o.deadline, "per-request deadline");
  flags.Int("max-outstanding", &max_outstanding,
            "open loop: most requests in flight (later sends count as late)");
  flags.Int("seed", &seed, "request n samples seed+n");
  flags.Int("seed-cycle", &seed_cycle,
            "request n samples seed + n mod this (repeated seeds: the response cache answers); "
            "0: every request a new seed");
  flags.String("format", &format, "report format: text, json or csv");
  flags.String("progress", &progress,
               "live progress line: auto (when stderr is a terminal), on, off");
  flags.Duration("max-p99", &thresholds.max_p99, "exit 3 if p99 latency is above this");
  flags.Double("max-error-rate", &max_error_rate,
               "exit 3 if errors/sent is above this fraction (0..1)");
  if (int code = ParseOrExit(flags, args); code >= 0) return code;

  o.concurrency = static_cast<int>(concurrency);
  o.connections = static_cast<int>(connections);
  o.batch = static_cast<int>(batch);
  o.seed = static_cast<uint64_t>(seed);
  if (seed_cycle < 0) {
    std::cerr << "--seed-cycle must be 0 or more, got " << seed_cycle << "\n";
    return kExitUsage;
  }
  o.seed_cycle = static_cast<uint64_t>(seed_cycle);
  o.max_outstanding = max_outstanding;
  thresholds.max_error_rate = max_error_rate;
  for (absl::string_view part : absl::StrSplit(labels, ',', absl::SkipWhitespace())) {
    int32_t label;
    if (!absl::SimpleAtoi(part, &label)) {
      std::cerr << "--labels wants comma-separated integers, got '" << part << "'\n";
      return kExitUsage;
    }
    o.labels.push_back(label);
  }
  absl::StatusOr<BenchApi> parsed_api = ParseBenchApi(api);
  if (!parsed_api.ok()) {
    std::cerr << parsed_api.status().message() << "\n";
    return kExitUsage;
  }
  o.api = *parsed_api;
  if (o.api == BenchApi::kHttp) {
    absl::StatusOr<HttpBenchTarget> http = HttpTargetOf(http_target, connection_options.target);
    if (!http.ok()) {
      std::cerr << http.status().message() << "\n";
      return kExitUsage;
    }
    if (!connection_options.tls_ca.empty() || !connection_options.tls_cert.empty()) {
      std::cerr << "--api http measures plain HTTP; drop the TLS flags\n";
      return kExitUsage;
    }
    o.http = *http;
  }
  auto report_format = ParseReportFormat(format);
  if (!report_format.ok()) return Fail("bench", report_format.status());
  if (progress != "auto" && progress != "on" && progress != "off") {
    std::cerr << "--progress must be auto, on or off\n";
    return kExitUsage;
  }
  if (max_error_rate > 1) {
    std::cerr << "--max-error-rate is a fraction between 0 and 1, got " << max_error_rate << "\n";
    return kExitUsage;
  }
  auto connection = Connection::Open(connection_options);
  if (!connection.ok()) return Fail("bench", connection.status());
  if (o.labels.empty()) {
    o.labels = AllLabelsOfModel(**connection, o.model);
    if (!o.labels.empty())
      std::cerr << "bench: the model is conditional; cycling labels 0.." << o.labels.size() - 1
                << " (--labels to choose)\n";
  }
  auto runner = BenchRunner::Create(o, **connection);
  if (!runner.ok()) return Fail("bench", runner.status());

  absl::StatusOr<BenchResult> result;
  {
    std::unique_ptr<ProgressBar> bar;
    if (progress == "on" || (progress == "auto" && ProgressBar::StderrIsTerminal())) {
      const double total_s = absl::ToDoubleSeconds(o.warmup + o.duration);
      bar =
          std::make_unique<ProgressBar>([&] { return (*runner)->Progress(); },
                                        // By value: total_s ends with this block, the bar does not.
                                        [total_s, requests = o.requests](const BenchProgress& p) {
                                          if (requests > 0)
                                            return static_cast<double>(p.sent) / requests;
                                          return total_s > 0 ? p.elapsed_seconds / total_s : -1.0;
                                        });
    }
    result = (*runner)->Run();
  }
  if (!result.ok()) return Fail("bench", result.status());
  std::cout << FormatReport(o, connection_options.target, *result, *report_format);
  const std::vector<std::string> breaches = Breaches(*result, thresholds);
  for (const std::string& breach : breaches) std::cerr << "THRESHOLD BREACHED: " << breach << "\n";
  return breaches.empty() ? kExitOk : kExitThreshold;
}

}  // namespace ganserve::client
