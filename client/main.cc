// ganctl: generate images with a ganserve server and load-test it.
#include <iostream>
#include <string>

#include "client/commands.h"

namespace {

constexpr char kUsage[] =
    "usage: ganctl <command> [flags]   (ganctl <command> --help for its flags)\n\n"
    "commands:\n"
    "  info       the server's models, their metadata and layer summary\n"
    "  health     grpc.health.v1 check: exit 0 if SERVING\n"
    "  generate   images from a seed, a latents .npy or an interpolation, as PNG files or a "
    "contact sheet\n"
    "  bench      load test: closed loop (--concurrency) or open loop (--rate), latency "
    "percentiles;\n"
    "             bench FILE: offline, the engine alone on a model file (img/s, GFLOP/s, bf16)\n"
    "  inspect    offline: what a model file holds and how ganserve would serve it\n"
    "  render     offline: images from a model file, the same bytes ganserve would send\n\n"
    "exit codes: 0 ok, 1 runtime or server error, 2 usage error, 3 bench threshold breached\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace ganserve::client;
  if (argc < 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string command = argv[1];
  const Args args(argv + 2, argv + argc);
  if (command == "info") return InfoCommand(args);
  if (command == "health") return HealthCommand(args);
  if (command == "generate") return GenerateCommand(args);
  if (command == "bench") return BenchCommand(args);
  if (command == "inspect") return InspectCommand(args);
  if (command == "render") return RenderCommand(args);
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  std::cerr << "ganctl: unknown command '" << command << "'\n\n" << kUsage;
  return kExitUsage;
}
