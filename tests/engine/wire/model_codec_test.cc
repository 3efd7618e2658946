// The loader child's answer format against in-process loading: every fixture
// and real model that loads in process must come back from the wire with the
// same summary, the same bytes when encoded again and, where the graph is
// small enough to run the reference kernels quickly, bit-identical outputs.
// Cut or damaged answers must be refused with a message.
#include "engine/wire/model_codec.h"

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "engine/loaders/load_model.h"
#include "engine/reference/reference_executor.h"
#include "gtest/gtest.h"
#include "tests/testing/source_dir.h"

namespace ganserve {
namespace {

std::vector<std::string> ModelFiles() {
  std::vector<std::string> files;
  for (const char* dir : {"/tests/fixtures/keras", "/tests/fixtures/onnx", "/models/fashion-cgan",
                          "/../shared/models"}) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(SourceDir() + dir, ec)) {
      if (e.is_regular_file() && IsModelFileExtension(e.path().extension().string())) {
        files.push_back(e.path().string());
      }
    }
  }
  return files;
}

bool SmallEnoughToRun(const Graph& graph) {
  int64_t elements = 0;
  for (const Node& node : graph.nodes()) elements += NumElements(node.output_dims);
  return elements < (int64_t{1} << 18) && graph.Params().total() < (int64_t{1} << 20);
}

Tensor RunReference(const std::shared_ptr<const Graph>& graph) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < graph->inputs().size(); ++i) {
    Tensor t(WithBatch(2, graph->input_dims(i)));
    for (float& v : t.data) v = uniform(rng);
    inputs.push_back(std::move(t));
  }
  ReferenceExecutor exec(graph);
  auto ctx = exec.NewContext();
  Tensor out;
  EXPECT_TRUE(exec.Run(*ctx, inputs, out).ok());
  return out;
}

TEST(ModelCodec, EveryLoadableModelRoundTrips) {
  int round_tripped = 0, ran = 0;
  for (const std::string& path : ModelFiles()) {
    auto model = LoadModel(path);
    if (!model.ok()) continue;  // refused fixtures are the loader tests' business
    auto bytes = EncodeLoadedModel(*model);
    ASSERT_TRUE(bytes.ok()) << path << ": " << bytes.status();
    auto decoded = DecodeLoadedModel(*bytes);
    ASSERT_TRUE(decoded.ok()) << path << ": " << decoded.status();
    EXPECT_EQ(decoded->graph->Summary(), model->graph->Summary()) << path;
    EXPECT_EQ(decoded->format, model->format) << path;
    EXPECT_EQ(decoded->model_name, model->model_name) << path;
    EXPECT_EQ(decoded->sequential, model->sequential) << path;
    EXPECT_EQ(decoded->output_layout, model->output_layout) << path;
    EXPECT_EQ(*EncodeLoadedModel(*decoded), *bytes) << path;
    ++round_tripped;
    if (!SmallEnoughToRun(*model->graph)) continue;
    const Tensor want = RunReference(model->graph);
    const Tensor got = RunReference(decoded->graph);
    EXPECT_EQ(got.shape, want.shape) << path;
    EXPECT_EQ(got.data, want.data) << path;
    ++ran;
  }
  EXPECT_GT(round_tripped, 50);
  EXPECT_GT(ran, 20);
}

TEST(ModelCodec, EveryTruncationIsRefusedWithAMessage) {
  auto model = LoadModel(SourceDir() + "/tests/fixtures/keras/k38_cgan.keras");
  ASSERT_TRUE(model.ok()) << model.status();
  const std::string bytes = *EncodeLoadedModel(*model);
  for (size_t n = 0; n < bytes.size(); n += 1 + n / 64) {
    auto cut = DecodeLoadedModel(absl::string_view(bytes).substr(0, n));
    ASSERT_FALSE(cut.ok()) << n;
    EXPECT_NE(cut.status().message().find("loader answer"), std::string::npos) << cut.status();
  }
}

TEST(ModelCodec, NamesWhatIsWrong) {
  auto model = LoadModel(SourceDir() + "/tests/fixtures/keras/k38_cgan.keras");
  ASSERT_TRUE(model.ok()) << model.status();
  std::string bytes = *EncodeLoadedModel(*model);
  std::string version = bytes;
  version[4] = 9;
  EXPECT_NE(DecodeLoadedModel(version).status().message().find("format version 9"),
            std::string::npos);
  EXPECT_NE(DecodeLoadedModel(bytes + "x").status().message().find("payload bytes"),
            std::string::npos);
  std::string magic = bytes;
  magic[0] = 'X';
  EXPECT_NE(DecodeLoadedModel(magic).status().message().find("GSLM"), std::string::npos);
}

// Overwriting windows with 0x00/0xff must load or be refused, never crash;
// a damaged shape must be caught by the ops' own checks, not run.
TEST(ModelCodec, DamagedAnswersReturnWithoutCrashing) {
  auto model = LoadModel(SourceDir() + "/tests/fixtures/keras/k38_cgan.keras");
  ASSERT_TRUE(model.ok()) << model.status();
  const std::string good = *EncodeLoadedModel(*model);
  int refused = 0;
  for (size_t at = 0; at + 4 <= good.size(); at += 7) {
    for (char fill : {'\x00', '\xff'}) {
      std::string bad = good;
      bad.replace(at, 4, 4, fill);
      if (!DecodeLoadedModel(bad).ok()) ++refused;
    }
  }
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace ganserve
