// The real PyTorch export in ../shared/models (dekode_dcgan_gen.onnx, batch
// fixed at 1) against outputs from two implementations that are not ours: a
// PyTorch rebuild of the graph (tests/fixtures/make_onnx_expected.py) and
// onnxruntime (make_onnx_ort_expected.py), at batch 5 and batch 1, with both
// executors.
#include <fstream>
#include <string>

#include "engine/loaders/load_model.h"
#include "gtest/gtest.h"
#include "tests/engine/loaders/onnx/onnx_test_util.h"
#include "tests/testing/npy_test_util.h"
#include "tests/testing/source_dir.h"

namespace ganserve {
namespace {

TEST(OnnxRealModel, DekodeDcganMatchesTorchAtBatchFiveAndOne) {
  const std::string path = SourceDir() + "/../shared/models/dekode_dcgan_gen.onnx";
  if (!std::ifstream(path).good()) GTEST_SKIP() << path << " is absent (../shared/models)";
  auto model = LoadModel(path);  // through the magic-byte dispatch
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->saver_version, "pytorch 2.0.0");
  EXPECT_EQ(model->output_layout, SampleLayout::kChannelsFirst);
  EXPECT_EQ(model->graph->output_dims(), (Dims{1, 28, 28}));
  // ConvTranspose weights + biases, BatchNorm gamma/beta (+ running stats).
  const int64_t convs = 64 * 256 * 9 + 256 + 256 * 128 * 16 + 128 + 128 * 64 * 9 + 64 + 64 * 16 + 1;
  EXPECT_EQ(model->graph->Params().trainable, convs + 2 * (256 + 128 + 64));
  EXPECT_EQ(model->graph->Params().non_trainable, 2 * (256 + 128 + 64));
  // The sum of the file's float initializer sizes (onnx.numpy_helper).
  EXPECT_EQ(model->graph->Params().trainable + model->graph->Params().non_trainable, 748737);

  const std::string dir = SourceDir() + "/tests/fixtures/real_expected/";
  auto in = ReadNpy(dir + "dekode_dcgan_gen.in.npy");
  ASSERT_TRUE(in.ok()) << in.status();
  for (const char* oracle : {"out", "ort"}) {
    auto expected = ReadNpy(dir + "dekode_dcgan_gen." + oracle + ".npy");
    ASSERT_TRUE(expected.ok()) << expected.status();
    for (ExecutorKind kind : {ExecutorKind::kReference, ExecutorKind::kOneDnn}) {
      SCOPED_TRACE(std::string(oracle) +
                   (kind == ExecutorKind::kOneDnn ? " onednn" : " reference"));
      auto out = RunLoaded(*model, {*in}, kind);
      ASSERT_TRUE(out.ok()) << out.status();
      EXPECT_EQ(out->shape, (Dims{5, 1, 28, 28}));
      EXPECT_LT(RelativeError(*out, *expected), 1e-4);
      auto out1 = RunLoaded(*model, {FirstSamples(*in, 1)}, kind);
      ASSERT_TRUE(out1.ok()) << out1.status();
      EXPECT_LT(RelativeError(*out1, FirstSamples(*expected, 1)), 1e-4);
    }
  }
}

}  // namespace
}  // namespace ganserve
