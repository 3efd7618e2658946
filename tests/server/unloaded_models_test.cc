// A model removed from the repository leaves nothing behind in the server:
// oneDNN's primitive cache held every unloaded model's primitives (and their
// JIT code), so a repository that kept changing grew the server by hundreds
// of MB.
#include <oneapi/dnnl/dnnl_types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/file_contents.h"
#include "engine/loader_child/isolated_load.h"
#include "gtest/gtest.h"
#include "tests/server/repository_files.h"
#include "tests/server/test_server.h"

// Not in oneDNN's public headers; libdnnl exports it for its own tests.
namespace dnnl::impl {
dnnl_status_t get_primitive_cache_size(int* size);
}  // namespace dnnl::impl

namespace ganserve::testing {
namespace {

namespace fs = std::filesystem;

int CachedPrimitives() {
  int size = -1;
  EXPECT_EQ(dnnl::impl::get_primitive_cache_size(&size), dnnl_success);
  return size;
}

TEST(UnloadedModels, RemovedModelsLeaveNoPrimitivesInOneDnnsCache) {
  const fs::path repo = NewRepository("ganserve_unloaded_");
  WriteFile(repo / "good" / "generator.keras",
            ReadFileContents(SourceFixture("keras/k38_cgan.keras")).value_or(""));
  ServerOptions options = LoopbackOptions();
  options.registry.repository = repo.string();
  options.registry.load.loader = [](const std::string& path) {
    return LoadModelIsolated(GANSERVE_LOADER_BINARY, path, LoaderLimits{});
  };
  auto created = GanServer::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  GanServer& server = **created;
  const int serving_one = CachedPrimitives();

  // Models of other shapes than the good one, so each brings primitives of its own.
  const std::vector<std::string> fixtures = {
      "onnx/conditional_op13.onnx", "onnx/upsample_conv_op13.onnx",
      "onnx/pattern_zero_stuffing_op13.onnx", "keras/tf28_dcgan_leaky_last.h5"};
  for (int round = 0; round < 3; ++round) {
    for (const std::string& fixture : fixtures) {
      const fs::path model =
          repo / "passing" / ("generator" + fs::path(fixture).extension().string());
      WriteFile(model, ReadFileContents(SourceFixture(fixture)).value_or(""));
      const std::string loaded = PollLog(server);
      ASSERT_EQ(LinesWith(loaded, "model_serving model=passing ").size(), 1u) << loaded;
      const int serving_two = CachedPrimitives();
      fs::remove_all(repo / "passing");
      const std::string removed = PollLog(server);
      ASSERT_EQ(LinesWith(removed, "model_unloaded model=passing ").size(), 1u) << removed;
      const int unloaded = CachedPrimitives();
      EXPECT_LT(unloaded, serving_two) << fixture << " left its primitives cached";
      EXPECT_LE(unloaded, serving_one) << fixture << " left primitives cached";
    }
  }
  fs::remove_all(repo);
}

}  // namespace
}  // namespace ganserve::testing
