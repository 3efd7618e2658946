// The ganserve binary: flags → ServerOptions, then serve until SIGTERM/SIGINT.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "engine/file_contents.h"
#include "engine/loader_child/isolated_load.h"
#include "engine/loader_child/loader_binary.h"
#include "engine/png.h"
#include "engine/precision.h"
#include "server/log.h"
#include "server/repeated_flag.h"
#include "server/server.h"

ABSL_FLAG(std::string, address, "0.0.0.0:50051", "host:port to listen on (port 0: any free port)");
ABSL_FLAG(std::vector<std::string>, model, {},
          "name=path of a model file to serve; repeatable or comma-separated");
ABSL_FLAG(std::string, model_repository, "",
          "folder with one subfolder per model (model file + optional model.json)");
ABSL_FLAG(int, repository_poll_s, 10, "seconds between model file re-scans (0: never)");
ABSL_FLAG(std::string, loader_binary, "",
          "the ganserve-load executable every model file is parsed in (empty: next to ganserve, "
          "else the one built with it)");
ABSL_FLAG(int, loader_memory_mb, 4096, "address space one model file's loader may use, MiB");
ABSL_FLAG(int, loader_cpu_s, 60, "CPU seconds one model file's loader may use");
ABSL_FLAG(int, loader_timeout_s, 120, "wall-clock seconds one model file's loader may take");
ABSL_FLAG(int, max_batch, 16, "most images in one engine batch");
ABSL_FLAG(int, max_queue_delay_us, 0,
          "longest a free worker waits for a fuller batch, microseconds (0: takes what is queued)");
ABSL_FLAG(int, worker_spin_us, 1000,
          "how long an idle batch worker polls for the next call before it sleeps (one worker per "
          "model at a time), microseconds (0: sleeps at once)");
ABSL_FLAG(int, max_queue_time_ms, 1000,
          "refuse a call whose estimated queue wait exceeds this, milliseconds");
ABSL_FLAG(int, max_queued_images, 4096, "hard cap on images queued per model");
ABSL_FLAG(int, workers, 0,
          "batch worker threads per model (0: one per core, each running its batches on one "
          "oneDNN thread)");
ABSL_FLAG(std::string, executor, "onednn", "engine that runs the graphs: onednn or reference");
ABSL_FLAG(bool, shed_threads_under_load, true,
          "run each batch on one oneDNN thread while other processes fill the cores (1-minute "
          "load average minus ganserve's own CPU use >= cores); OpenMP teams stall when a "
          "member is descheduled");
ABSL_FLAG(int, onednn_threads, 0,
          "oneDNN threads per batch worker (0: cores / workers, so workers x threads = cores)");
ABSL_FLAG(std::string, precision, "f32",
          "what models compute in unless their model.json says: f32, bf16 (needs avx512_bf16 or "
          "AMX) or auto (bf16 where the CPU runs it natively and the warm-up measured it faster)");
ABSL_FLAG(int, png_level, ganserve::kDefaultPngLevel,
          "deflate level of the PNGs served: 0 (stored: larger, least CPU) to 12 (smallest)");
ABSL_FLAG(int, max_images_per_request, 256, "most images one request may ask for");
ABSL_FLAG(int, max_message_mb, 16, "largest request message accepted, MiB");
ABSL_FLAG(int, metrics_port, 9090, "Prometheus /metrics HTTP port (-1: off)");
ABSL_FLAG(std::string, metrics_address, "",
          "host the metrics port binds to (empty: the host of --address)");
ABSL_FLAG(int, http_port, 8080,
          "HTTP port: Open Inference Protocol REST, images by URL, playground page (-1: off)");
ABSL_FLAG(int, cache_mb, 64,
          "MiB of seeded images kept to answer repeated requests (native, OIP, HTTP); 0: none");
ABSL_FLAG(std::string, http_address, "",
          "host the HTTP port binds to (empty: the host of --address)");
ABSL_FLAG(int, drain_timeout_s, 30, "seconds in-flight calls get to finish on SIGTERM");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate chain (enables TLS)");
ABSL_FLAG(std::string, tls_key, "", "PEM server private key");
ABSL_FLAG(std::string, tls_client_ca, "", "PEM CA bundle; clients must present a cert it signed");
ABSL_FLAG(std::string, auth_token_file, "",
          "file holding a token clients must send as 'authorization: Bearer <token>'");
ABSL_FLAG(int, max_connection_age_s, 60,
          "send GOAWAY to a connection this old (+-10% jitter), so clients reconnect and reach new "
          "replicas (0: never)");
ABSL_FLAG(int, max_connection_age_grace_s, 30,
          "time calls in flight at GOAWAY get before the connection closes");
ABSL_FLAG(int, min_client_ping_interval_s, 10,
          "clients may send keepalive pings this often, also without calls; faster ones are cut");
ABSL_FLAG(int, keepalive_time_s, 60, "ping a connection idle this long to find vanished clients");
ABSL_FLAG(int, keepalive_timeout_s, 20, "drop a connection whose ping is unanswered this long");
ABSL_FLAG(int, max_concurrent_streams, 1000, "calls one connection may have open (0: unbounded)");
ABSL_FLAG(std::string, access_log, "sampled",
          "JSON line per call on stdout: off, sampled (failures, traces the caller sampled, and 1 "
          "in 100 others) or all");

namespace ganserve {
namespace {

constexpr char kDefaultModel[] = "models/fashion-cgan/generator.keras";

// The bundled model: next to the source tree the binary was built from, or
// under an install prefix (<prefix>/bin/ganserve → <prefix>/share/ganserve/).
std::string FindDefaultModel() {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates = {fs::path(GANSERVE_SOURCE_DIR) / kDefaultModel};
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error)
    candidates.push_back(exe.parent_path().parent_path() / "share/ganserve" / kDefaultModel);
  for (const fs::path& candidate : candidates) {
    if (fs::exists(candidate)) return candidate.string();
  }
  return "";
}

// Abseil's value of --model holds only its last occurrence, so a repeated
// --model is read from argv. A --flagfile's --model counts only when the
// command line gives one or none (then Abseil's value stands).
std::vector<std::string> ModelSpecs(int argc, const char* const* argv) {
  const std::vector<std::string> given = FlagOccurrences(argc, argv, "model");
  if (given.size() < 2) return absl::GetFlag(FLAGS_model);
  std::vector<std::string> specs;
  for (const std::string& value : given) {
    const std::vector<std::string> parts = absl::StrSplit(value, ',');
    specs.insert(specs.end(), parts.begin(), parts.end());
  }
  return specs;
}

int Run(int argc, const char* const* argv) {
  ServerOptions options;
  options.address = absl::GetFlag(FLAGS_address);
  for (const std::string& spec : ModelSpecs(argc, argv)) {
    std::vector<std::string> parts = absl::StrSplit(spec, absl::MaxSplits('=', 1));
    if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
      std::fprintf(stderr, "ganserve: --model expects name=path, got \"%s\"\n", spec.c_str());
      return 2;
    }
    options.registry.models.push_back({parts[0], parts[1], ""});
  }
  options.registry.repository = absl::GetFlag(FLAGS_model_repository);
  if (options.registry.models.empty() && options.registry.repository.empty()) {
    const std::string path = FindDefaultModel();
    if (path.empty()) {
      std::fprintf(stderr,
                   "ganserve: no --model or --model_repository given and the bundled default "
                   "model %s was not found next to the source tree (%s) or under the install "
                   "prefix's share/ganserve/\n",
                   kDefaultModel, GANSERVE_SOURCE_DIR);
      return 2;
    }
    options.registry.models.push_back({"fashion-cgan", path, ""});
  }
  options.registry.poll_interval = std::chrono::seconds(absl::GetFlag(FLAGS_repository_poll_s));
  const absl::StatusOr<std::string> loader = FindLoaderBinary(absl::GetFlag(FLAGS_loader_binary));
  if (!loader.ok()) {
    std::fprintf(stderr, "ganserve: %s\n", std::string(loader.status().message()).c_str());
    return 2;
  }
  const int memory_mb = absl::GetFlag(FLAGS_loader_memory_mb);
  const int cpu_s = absl::GetFlag(FLAGS_loader_cpu_s);
  const int timeout_s = absl::GetFlag(FLAGS_loader_timeout_s);
  if (memory_mb <= 0 || cpu_s <= 0 || timeout_s <= 0) {
    std::fprintf(stderr,
                 "ganserve: --loader_memory_mb, --loader_cpu_s and --loader_timeout_s "
                 "must be positive\n");
    return 2;
  }
  const LoaderLimits limits{static_cast<uint64_t>(memory_mb), static_cast<uint64_t>(cpu_s),
                            absl::Seconds(timeout_s)};
  options.registry.load.loader = [binary = *loader, limits](const std::string& path) {
    return LoadModelIsolated(binary, path, limits);
  };
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int workers = absl::GetFlag(FLAGS_workers);
  // One single-threaded worker per core by default: the cores are shared
  // with the gRPC and encoding threads (and often the client), and an
  // OpenMP team stalls at every barrier while one of its threads waits for a
  // core; independent workers lose only the time they are descheduled.
  options.registry.batcher.workers = workers > 0 ? workers : cores;
  const absl::StatusOr<ExecutorKind> executor = ParseExecutorKind(absl::GetFlag(FLAGS_executor));
  if (!executor.ok()) {
    std::fprintf(stderr, "ganserve: --%s\n", std::string(executor.status().message()).c_str());
    return 2;
  }
  options.registry.load.executor = *executor;
  const absl::StatusOr<Precision> precision = ParsePrecision(absl::GetFlag(FLAGS_precision));
  if (!precision.ok()) {
    std::fprintf(stderr, "ganserve: --%s\n", std::string(precision.status().message()).c_str());
    return 2;
  }
  options.registry.load.precision = *precision;
  const int threads = absl::GetFlag(FLAGS_onednn_threads);
  options.registry.load.shed_threads_under_load = absl::GetFlag(FLAGS_shed_threads_under_load);
  options.registry.load.onednn_threads =
      threads > 0 ? threads : std::max(1, cores / options.registry.batcher.workers);
  options.registry.batcher.max_batch = absl::GetFlag(FLAGS_max_batch);
  options.registry.batcher.admission.max_queue_time =
      std::chrono::milliseconds(absl::GetFlag(FLAGS_max_queue_time_ms));
  options.registry.batcher.admission.max_queued_images = absl::GetFlag(FLAGS_max_queued_images);
  options.registry.batcher.max_queue_delay =
      std::chrono::microseconds(absl::GetFlag(FLAGS_max_queue_delay_us));
  options.registry.batcher.idle_spin =
      std::chrono::microseconds(absl::GetFlag(FLAGS_worker_spin_us));
  if (absl::Status level = SetPngLevel(absl::GetFlag(FLAGS_png_level)); !level.ok()) {
    std::fprintf(stderr, "ganserve: --png_level: %s\n", std::string(level.message()).c_str());
    return 2;
  }
  options.service.limits.max_images_per_request = absl::GetFlag(FLAGS_max_images_per_request);
  options.max_receive_message_bytes = absl::GetFlag(FLAGS_max_message_mb) << 20;
  options.metrics_port = absl::GetFlag(FLAGS_metrics_port);
  options.metrics_host = absl::GetFlag(FLAGS_metrics_address);
  options.http_port = absl::GetFlag(FLAGS_http_port);
  options.http_host = absl::GetFlag(FLAGS_http_address);
  options.cache_bytes = static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_cache_mb))) << 20;
  options.tls = {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
                 absl::GetFlag(FLAGS_tls_client_ca)};
  if (absl::StatusOr<AccessLogMode> mode = ParseAccessLogMode(absl::GetFlag(FLAGS_access_log));
      mode.ok()) {
    options.service.access_log = *mode;
  } else {
    std::fprintf(stderr, "ganserve: %s\n", std::string(mode.status().message()).c_str());
    return 2;
  }
  options.connections = {
      .max_connection_age = std::chrono::seconds(absl::GetFlag(FLAGS_max_connection_age_s)),
      .max_connection_age_grace =
          std::chrono::seconds(absl::GetFlag(FLAGS_max_connection_age_grace_s)),
      .min_client_ping_interval =
          std::chrono::seconds(absl::GetFlag(FLAGS_min_client_ping_interval_s)),
      .keepalive_time = std::chrono::seconds(absl::GetFlag(FLAGS_keepalive_time_s)),
      .keepalive_timeout = std::chrono::seconds(absl::GetFlag(FLAGS_keepalive_timeout_s)),
      .max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams),
  };
  if (const std::string path = absl::GetFlag(FLAGS_auth_token_file); !path.empty()) {
    const std::optional<std::string> text = ReadFileContents(path);
    const std::string token(absl::StripAsciiWhitespace(text.value_or("")));
    if (token.empty()) {
      std::fprintf(stderr, "ganserve: --auth_token_file %s is missing or empty\n", path.c_str());
      return 2;
    }
    options.service.auth_token = token;
  }

  // Block the signals in every thread; this one waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::unique_ptr<GanServer>> server = GanServer::Create(std::move(options));
  if (!server.ok()) {
    std::fprintf(stderr, "ganserve: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  LogEvent(absl::StrCat("signal ", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"));
  (*server)->Drain(std::chrono::seconds(absl::GetFlag(FLAGS_drain_timeout_s)));
  return 0;
}

}  // namespace
}  // namespace ganserve

int main(int argc, char** argv) {
  // Debian's Abseil checks every Mutex acquisition for lock-order cycles
  // (gRPC locks several per call): about 1% of the server's CPU under load.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::SetProgramUsageMessage("ganserve: serves GAN image generators over gRPC");
  absl::ParseCommandLine(argc, argv);
  return ganserve::Run(argc, argv);
}
