// How much parsing a model file in ganserve-load costs over parsing it in
// process: for each file, alternating rounds of LoadModel and
// LoadModelIsolated (spawn, parse, encode, pipe, decode), medians in ms.
//   build/tests/bench/load_time_bench ROUNDS FILE...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "engine/loader_child/isolated_load.h"
#include "engine/loader_child/loader_binary.h"
#include "engine/loaders/load_model.h"

namespace {

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

template <typename Load>
double TimedMs(const Load& load) {
  const auto start = std::chrono::steady_clock::now();
  const bool ok = load();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return ok ? ms : -1;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 0;
  if (argc < 3 || !absl::SimpleAtoi(argv[1], &rounds) || rounds < 1) {
    std::fprintf(stderr, "usage: load_time_bench ROUNDS FILE...\n");
    return 2;
  }
  const auto loader = ganserve::FindLoaderBinary("");
  if (!loader.ok()) {
    std::fprintf(stderr, "%s\n", std::string(loader.status().message()).c_str());
    return 1;
  }
  std::printf("%-50s %12s %12s %8s\n", "file", "in-process", "isolated", "ratio");
  for (int i = 2; i < argc; ++i) {
    const std::string path = argv[i];
    std::vector<double> in_process, isolated;
    for (int round = 0; round < rounds; ++round) {
      in_process.push_back(TimedMs([&] { return ganserve::LoadModel(path).ok(); }));
      isolated.push_back(TimedMs([&] {
        return ganserve::LoadModelIsolated(*loader, path, ganserve::LoaderLimits{}).ok();
      }));
    }
    if (*std::min_element(in_process.begin(), in_process.end()) < 0 ||
        *std::min_element(isolated.begin(), isolated.end()) < 0) {
      std::fprintf(stderr, "%s does not load\n", path.c_str());
      return 1;
    }
    const double a = Median(in_process), b = Median(isolated);
    std::printf("%-50s %9.1f ms %9.1f ms %7.2fx\n", path.c_str(), a, b, b / a);
  }
  return 0;
}
