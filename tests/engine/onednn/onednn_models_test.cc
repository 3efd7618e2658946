// oneDNN executor on whole generators: agreement with the reference,
// the tutorial's printed numbers, thread safety and plan reuse per batch.
#include <thread>

#include "engine/graph_builder.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/upsampling2d.h"
#include "gmock/gmock.h"
#include "tests/engine/onednn/onednn_test_util.h"

namespace ganserve {
namespace {

using ::testing::ElementsAreArray;

class ZooTest : public ::testing::TestWithParam<ZooModel> {};

TEST_P(ZooTest, GeneratorMatchesReference) {
  for (int64_t batch : {1, 3}) ExpectMatchesReference(GetParam().make(7), batch);
}

INSTANTIATE_TEST_SUITE_P(Generators, ZooTest, ::testing::ValuesIn(GeneratorZoo()),
                         [](const auto& info) { return info.param.name; });

TEST(OneDnnModels, TutorialGeneratorsAtBatchThirtySeven) {
  ExpectMatchesReference(TutorialGenerator(false, 3), 37);
  ExpectMatchesReference(TutorialGenerator(true, 3), 37);
}

std::vector<float> RunOneDnn(absl::StatusOr<Graph> graph, std::vector<float> sample) {
  EXPECT_TRUE(graph.ok()) << graph.status();
  auto shared = std::make_shared<const Graph>(*std::move(graph));
  auto exec = OneDnnExecutor::Create(shared);
  EXPECT_TRUE(exec.ok()) << exec.status();
  return RunWith(**exec, {Tensor(WithBatch(1, shared->input_dims(0)), std::move(sample))}).data;
}

// The numbers printed in the tutorial (shared/seed), as tutorial_test.cc checks
// them on the reference executor.
TEST(OneDnnTutorial, UpSamplingAndOneByOneStrideTwoTransposeGiveTheTutorialsNumbers) {
  GraphBuilder up;
  up.Input("input", {2, 2, 1});
  up.Add("up", UpSampling2DOp(2, 2, Interpolation::kNearest), {0});
  EXPECT_THAT(RunOneDnn(up.Build(), {1, 2, 3, 4}),
              ElementsAreArray<float>({1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));

  ConvAttributes s2;
  s2.stride_h = s2.stride_w = 2;
  GraphBuilder t;
  t.Input("input", {2, 2, 1});
  t.Add("t",
        Conv2DTransposeOp(Tensor({1, 1, 1, 1}, {1.0f}), Tensor({1}, {0.0f}), s2,
                          Activation::Linear()),
        {0});
  EXPECT_THAT(RunOneDnn(t.Build(), {1, 2, 3, 4}),
              ElementsAreArray<float>({1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0}));

  const float a = 0.5f, b = -1.0f, c = 2.0f, d = 0.25f;
  GraphBuilder t2;
  t2.Input("input", {2, 2, 1});
  t2.Add("t",
         Conv2DTransposeOp(Tensor({2, 2, 1, 1}, {a, b, c, d}), Tensor({1}, {0.0f}), s2,
                           Activation::Linear()),
         {0});
  EXPECT_THAT(RunOneDnn(t2.Build(), {1, 2, 3, 4}),
              ElementsAreArray<float>({a, b, 2 * a, 2 * b, c, d, 2 * c, 2 * d, 3 * a, 3 * b, 4 * a,
                                       4 * b, 3 * c, 3 * d, 4 * c, 4 * d}));
}

TEST(OneDnnExecutor, ConcurrentRunsOnSeparateContextsAgree) {
  auto graph = MnistDcgan(5);
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto shared = std::make_shared<const Graph>(*std::move(graph));
  auto exec = OneDnnExecutor::Create(shared, {.num_threads = 1});
  ASSERT_TRUE(exec.ok()) << exec.status();
  const std::vector<Tensor> inputs = RandomInputs(*shared, 4, 9);
  const Tensor want = RunWith(ReferenceExecutor(shared), inputs);
  std::vector<Tensor> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto ctx = (*exec)->NewContext();
      for (int rep = 0; rep < 3; ++rep) {
        if (!(*exec)->Run(*ctx, inputs, got[t]).ok()) got[t] = Tensor();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    ASSERT_EQ(got[t].shape, want.shape) << "thread " << t;
    EXPECT_LT(RelativeError(got[t], want), 1e-5) << "thread " << t;
    EXPECT_EQ(got[t].data, got[0].data) << "thread " << t;
  }
}

TEST(OneDnnExecutor, BatchEightThenOneThenEightReusesTheFirstPlan) {
  auto graph = Dcgan64(2);
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto shared = std::make_shared<const Graph>(*std::move(graph));
  auto exec = OneDnnExecutor::Create(shared);
  ASSERT_TRUE(exec.ok()) << exec.status();
  auto ctx = (*exec)->NewContext();
  const auto eight = RandomInputs(*shared, 8, 1), one = RandomInputs(*shared, 1, 2);
  Tensor out;
  ASSERT_TRUE((*exec)->Run(*ctx, eight, out).ok());
  const Tensor first = out;
  const float* buffer = out.data.data();
  ASSERT_TRUE((*exec)->Run(*ctx, one, out).ok());
  EXPECT_LT(RelativeError(out, RunWith(ReferenceExecutor(shared), one)), 1e-5);
  ASSERT_TRUE((*exec)->Run(*ctx, eight, out).ok());
  EXPECT_EQ(out.data, first.data);
  EXPECT_EQ(out.data.data(), buffer) << "the output buffer is reused";
  EXPECT_LT(RelativeError(out, RunWith(ReferenceExecutor(shared), eight)), 1e-5);
}

TEST(OneDnnExecutor, ShedsToOneThreadOnlyWhenOtherLoadFillsTheCores) {
  EXPECT_EQ(ThreadsForLoad(2, true, 1.9, 2), 2);  // others leave part of a core
  EXPECT_EQ(ThreadsForLoad(2, true, 2.0, 2), 1);
  EXPECT_EQ(ThreadsForLoad(2, false, 15.0, 2), 2);
  EXPECT_EQ(ThreadsForLoad(1, true, 15.0, 2), 1);
}

TEST(OneDnnExecutor, SheddingThreadsKeepsTheReferenceResult) {
  auto graph = Dcgan64(4);
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto shared = std::make_shared<const Graph>(*std::move(graph));
  auto exec = OneDnnExecutor::Create(shared, {.num_threads = 2, .shed_threads_under_load = true});
  ASSERT_TRUE(exec.ok()) << exec.status();
  const auto inputs = RandomInputs(*shared, 3, 6);
  EXPECT_LT(RelativeError(RunWith(**exec, inputs), RunWith(ReferenceExecutor(shared), inputs)),
            1e-5);
}

TEST(OneDnnExecutor, WrongInputShapeIsAnErrorNamingTheShape) {
  auto graph = MnistDcgan(1);
  ASSERT_TRUE(graph.ok());
  auto exec = OneDnnExecutor::Create(std::make_shared<const Graph>(*std::move(graph)));
  ASSERT_TRUE(exec.ok());
  auto ctx = (*exec)->NewContext();
  Tensor out;
  const absl::Status s = (*exec)->Run(*ctx, {Tensor({2, 99})}, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(OneDnnExecutor::Create(nullptr).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ganserve
