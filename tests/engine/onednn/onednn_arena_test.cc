// The plans of every batch size in one oneDNN context share one arena of
// buffers, the reordered weights and the host tensors: results stay the
// reference's whatever order sizes come in, Prepare builds all that a Run up
// to its max batch needs, and memory follows min(max batch, max_plan_batch)
// rather than the number of sizes seen.
#include <functional>
#include <map>

#include "engine/generator_factory.h"
#include "engine/loaders/load_model.h"
#include "tests/engine/onednn/onednn_test_util.h"
#include "tests/testing/source_dir.h"

namespace ganserve {
namespace {

struct ArenaCase {
  std::string name;
  std::function<absl::StatusOr<std::shared_ptr<const Graph>>()> make;
  std::vector<int64_t> batches;  // in the order they run
  int64_t max_plan_batch = 16;
  int64_t sweep_to = 64;  // Prepare's max batch, then every size up to it
};

std::function<absl::StatusOr<std::shared_ptr<const Graph>>()> Zoo(
    absl::StatusOr<Graph> (*make)(uint32_t)) {
  return [make]() -> absl::StatusOr<std::shared_ptr<const Graph>> {
    absl::StatusOr<Graph> graph = make(5);
    if (!graph.ok()) return graph.status();
    return std::make_shared<const Graph>(*std::move(graph));
  };
}

// The bundled conditional model: Embedding, Concatenate and Reshape run as
// reference kernels on host tensors (and the ONNX file adds Transposes).
std::function<absl::StatusOr<std::shared_ptr<const Graph>>()> FashionCgan(const char* file) {
  return [file]() -> absl::StatusOr<std::shared_ptr<const Graph>> {
    absl::StatusOr<LoadedModel> model =
        LoadModel(SourceDir() + "/models/fashion-cgan/" + std::string(file));
    if (!model.ok()) return model.status();
    return model->graph;
  };
}

// Random latents; a (1,)-shaped second input takes class labels 0..9.
std::vector<Tensor> Inputs(const Graph& graph, int64_t batch) {
  std::vector<Tensor> inputs = RandomInputs(graph, batch, static_cast<uint32_t>(batch));
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (graph.inputs().size() < 2 || graph.input_dims(i) != Dims{1}) continue;
    for (int64_t b = 0; b < batch; ++b) inputs[i].data[b] = static_cast<float>((b * 7) % 10);
  }
  return inputs;
}

std::vector<ArenaCase> Cases() {
  const std::vector<int64_t> shuffled{5, 1, 16, 3, 16, 2, 7, 1, 21, 5};
  return {
      {"tutorial_transpose", Zoo([](uint32_t s) { return TutorialGenerator(true, s); }), shuffled},
      {"mnist_dcgan", Zoo(MnistDcgan), shuffled},
      // Slower models sweep less, still past one slice of max_plan_batch.
      {"dcgan64", Zoo(Dcgan64), shuffled, 16, 20},
      // The reference is slow at 128x128: small plans make the same sequence cheap.
      {"upsampling128", Zoo(UpsamplingGenerator128), {3, 1, 2, 3, 5, 1}, 2, 5},
      {"fashion_cgan_keras", FashionCgan("generator.keras"), shuffled},
      {"fashion_cgan_onnx", FashionCgan("generator.onnx"), shuffled, 16, 20},
  };
}

class ArenaTest : public ::testing::TestWithParam<ArenaCase> {};

TEST_P(ArenaTest, ShuffledBatchSizesInOneContextMatchTheReferenceAndAFreshContext) {
  auto graph = GetParam().make();
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto exec = OneDnnExecutor::Create(*graph, {.max_plan_batch = GetParam().max_plan_batch});
  ASSERT_TRUE(exec.ok()) << exec.status();
  const ReferenceExecutor reference(*graph);
  std::map<int64_t, Tensor> want;  // per batch size
  auto ctx = (*exec)->NewContext();
  Tensor got;
  for (int64_t batch : GetParam().batches) {
    const std::vector<Tensor> inputs = Inputs(**graph, batch);
    if (!want.count(batch)) want[batch] = RunWith(reference, inputs);
    ASSERT_TRUE((*exec)->Run(*ctx, inputs, got).ok()) << "batch " << batch;
    ASSERT_EQ(got.shape, want[batch].shape) << "batch " << batch;
    EXPECT_LT(RelativeError(got, want[batch]), 1e-5) << "batch " << batch;
    // Bit for bit what a context that never ran another size gives: nothing
    // another plan left in the shared buffers reaches the result.
    EXPECT_EQ(got.data, RunWith(**exec, inputs).data) << "batch " << batch;
  }
}

TEST_P(ArenaTest, RunsAfterPrepareBuildNothingAndHoldNoMoreBytes) {
  auto graph = GetParam().make();
  ASSERT_TRUE(graph.ok()) << graph.status();
  // Both thread counts, as a shedding server would use them.
  auto exec = OneDnnExecutor::Create(*graph, {.num_threads = 2,
                                              .shed_threads_under_load = true,
                                              .max_plan_batch = GetParam().max_plan_batch});
  ASSERT_TRUE(exec.ok()) << exec.status();
  auto ctx = (*exec)->NewContext();
  EXPECT_EQ(ctx->BytesHeld(), 0);
  const int64_t max_batch = GetParam().sweep_to;
  ASSERT_TRUE((*exec)->Prepare(*ctx, max_batch).ok());
  const int64_t prepared = ctx->BytesHeld();
  EXPECT_GT(prepared, 0);
  Tensor out;
  for (int64_t batch = 1; batch <= max_batch; ++batch) {
    ASSERT_TRUE((*exec)->Run(*ctx, Inputs(**graph, batch), out).ok()) << "batch " << batch;
    EXPECT_EQ(ctx->BytesHeld(), prepared) << "batch " << batch << " built or grew something";
  }
}

INSTANTIATE_TEST_SUITE_P(Generators, ArenaTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

int64_t BytesAfterPrepare(const Executor& exec, int64_t max_batch) {
  auto ctx = exec.NewContext();
  EXPECT_TRUE(exec.Prepare(*ctx, max_batch).ok());
  return ctx->BytesHeld();
}

TEST(OneDnnArena, MemoryAtMaxBatchSixtyFourIsWithinThirtyPercentOfSixteen) {
  for (const ArenaCase& c : Cases()) {
    auto graph = c.make();
    ASSERT_TRUE(graph.ok()) << graph.status();
    auto exec = OneDnnExecutor::Create(*graph);
    ASSERT_TRUE(exec.ok()) << exec.status();
    const int64_t at16 = BytesAfterPrepare(**exec, 16), at64 = BytesAfterPrepare(**exec, 64);
    EXPECT_GT(at16, 0) << c.name;
    EXPECT_LE(at64, at16 * 13 / 10) << c.name;
  }
}

TEST(OneDnnArena, WeightsAreReorderedOncePerContextNotOncePerBatchSize) {
  auto graph = Dcgan64(3);
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto shared = std::make_shared<const Graph>(*std::move(graph));
  int64_t weight_bytes = 0;
  for (const Node& node : shared->nodes()) {
    weight_bytes += node.op->Params().total() * static_cast<int64_t>(sizeof(float));
  }
  auto exec = OneDnnExecutor::Create(shared);
  ASSERT_TRUE(exec.ok()) << exec.status();
  // Plans for batch 2, 3 and 4 with weights of their own would add three copies.
  const int64_t one = BytesAfterPrepare(**exec, 1), four = BytesAfterPrepare(**exec, 4);
  EXPECT_GT(one, weight_bytes);
  EXPECT_LT(four - one, weight_bytes) << one << " -> " << four;
}

TEST(OneDnnArena, GeneratorPrepareBuildsTheExecutorsPlans) {
  auto g = LoadGenerator(SourceDir() + "/models/fashion-cgan/generator.keras", "", {});
  ASSERT_TRUE(g.ok()) << g.status();
  auto ctx = (*g)->NewContext();
  ASSERT_TRUE((*g)->Prepare(*ctx, 8).ok());
  const int64_t prepared = ctx->BytesHeld();
  EXPECT_GT(prepared, 0);
  Tensor images;
  const std::vector<float> latents(8 * (*g)->latent_size(), 0.5f);
  const std::vector<int32_t> labels{0, 1, 2, 3, 4, 5, 6, 7};
  ASSERT_TRUE((*g)->Run(*ctx, latents, labels, images).ok());
  EXPECT_EQ(ctx->BytesHeld(), prepared);
}

TEST(OneDnnArena, PrepareRefusesANegativeMaxBatch) {
  auto graph = MnistDcgan(1);
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto exec = OneDnnExecutor::Create(std::make_shared<const Graph>(*std::move(graph)));
  ASSERT_TRUE(exec.ok()) << exec.status();
  auto ctx = (*exec)->NewContext();
  const absl::Status s = (*exec)->Prepare(*ctx, -1);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_TRUE((*exec)->Prepare(*ctx, 0).ok());
  EXPECT_EQ(ctx->BytesHeld(), 0) << "max batch 0 builds nothing";
}

TEST(OneDnnArena, ZeroMaxPlanBatchIsRefused) {
  auto graph = MnistDcgan(1);
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto exec = OneDnnExecutor::Create(std::make_shared<const Graph>(*std::move(graph)),
                                     {.max_plan_batch = 0});
  EXPECT_EQ(exec.status().code(), absl::StatusCode::kInvalidArgument) << exec.status();
}

TEST(OneDnnArena, TheReferenceExecutorPreparesNothing) {
  auto graph = MnistDcgan(1);
  ASSERT_TRUE(graph.ok()) << graph.status();
  const ReferenceExecutor exec(std::make_shared<const Graph>(*std::move(graph)));
  auto ctx = exec.NewContext();
  EXPECT_TRUE(exec.Prepare(*ctx, 64).ok());
  EXPECT_EQ(ctx->BytesHeld(), 0);
}

}  // namespace
}  // namespace ganserve
