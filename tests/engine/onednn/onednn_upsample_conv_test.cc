// oneDNN executor vs reference: nearest UpSampling2D folded into the next
// Conv2D (upsample_conv.h) on random shapes: odd sizes, factors 2 and 3,
// k < s, same and valid padding, bias, BatchNorm and activations after it,
// f32 and bf16, and the ONNX Upsample + Conv exports.
#include <random>
#include <string>

#include "engine/graph_builder.h"
#include "engine/loaders/onnx_loader.h"
#include "engine/onednn/lowering.h"
#include "engine/onednn/upsample_conv.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/batch_norm.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/upsampling2d.h"
#include "tests/engine/onednn/onednn_test_util.h"
#include "tests/testing/source_dir.h"

namespace ganserve {
namespace {

struct FoldCase {
  int64_t sh, sw, kh, kw;
  Padding padding;
  bool bias, bn;
  Activation act;
};

BatchNormOp RandomBatchNorm(int64_t c, std::mt19937& rng) {
  BatchNormWeights w;
  w.gamma = RandomTensor({c}, rng, 0.5f, 1.5f);
  w.beta = RandomTensor({c}, rng);
  w.moving_mean = RandomTensor({c}, rng);
  w.moving_variance = RandomTensor({c}, rng, 0.2f, 2.0f);
  return BatchNormOp(-1, 1e-3f, std::move(w));
}

// x -> UpSampling2D(nearest) -> Conv2D [-> BatchNorm] [-> activation], with
// random odd or even spatial sizes and channel counts.
// With `output_conv`, a 3x3 conv follows (the f32 output layer of a bf16 plan).
Graph UpsampleThenConv(const FoldCase& c, uint32_t seed, bool output_conv = false) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> size(2, 7), chans(1, 13);
  const int64_t h = size(rng), w = size(rng), ic = chans(rng);
  const int64_t oc = seed % 3 == 0   ? 16
                     : seed % 3 == 1 ? 8
                                     : chans(rng);  // whole oneDNN blocks or not
  ConvAttributes a;
  a.padding = c.padding;
  GraphBuilder b;
  b.Input("x", {h, w, ic});
  b.Add("up", UpSampling2DOp(c.sh, c.sw, Interpolation::kNearest), {b.last()});
  const std::optional<Tensor> bias =
      c.bias ? std::optional<Tensor>(RandomTensor({oc}, rng)) : std::nullopt;
  b.Add("conv",
        Conv2DOp(RandomTensor({c.kh, c.kw, ic, oc}, rng), bias, a,
                 c.bn ? Activation::Linear() : c.act),
        {b.last()});
  if (c.bn) {
    b.Add("bn", RandomBatchNorm(oc, rng), {b.last()});
    b.Add("act", ActivationOp(c.act), {b.last()});
  }
  if (output_conv) {
    ConvAttributes same;
    same.padding = Padding::kSame;
    b.Add("out",
          Conv2DOp(RandomTensor({3, 3, oc, 3}, rng), std::nullopt, same, Activation::Linear()),
          {b.last()});
  }
  auto graph = b.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  return *std::move(graph);
}

bool Folded(const Graph& graph) {
  for (const LoweredNode& ln : LowerGraph(graph)) {
    if (ln.kind == LoweredKind::kUpsampleConv) return true;
  }
  return false;
}

const FoldCase kCases[] = {
    {2, 2, 3, 3, Padding::kSame, true, false, Activation::Of(Activation::Kind::kRelu)},
    {2, 2, 3, 3, Padding::kValid, false, true, Activation::Of(Activation::Kind::kLeakyRelu, 0.2f)},
    {3, 3, 3, 3, Padding::kSame, true, true, Activation::Of(Activation::Kind::kTanh)},
    {3, 3, 5, 5, Padding::kValid, true, false, Activation::Linear()},
    {2, 2, 5, 4, Padding::kSame, false, false, Activation::Of(Activation::Kind::kSigmoid)},
    {3, 2, 2, 3, Padding::kSame, true, true, Activation::Of(Activation::Kind::kRelu)},  // k < s
    {3, 3, 2, 2, Padding::kValid, true, false, Activation::Linear()},                   // k < s
    {2, 3, 4, 3, Padding::kSame, true, true, Activation::Of(Activation::Kind::kElu)},
};

TEST(OneDnnUpsampleConv, MatchesReferenceOnRandomShapesAtBatchOneAndFive) {
  uint32_t seed = 1;
  for (const FoldCase& c : kCases) {
    for (int rep = 0; rep < 3; ++rep, ++seed) {
      const Graph graph = UpsampleThenConv(c, seed);
      SCOPED_TRACE(graph.Summary());
      EXPECT_EQ(Folded(graph),
                UpsampleConvTaps(c.kh, c.sh) < c.kh || UpsampleConvTaps(c.kw, c.sw) < c.kw);
      for (int64_t batch : {1, 5}) ExpectMatchesReference(graph, RandomInputs(graph, batch, seed));
    }
  }
}

TEST(OneDnnUpsampleConv, FoldsTheCasesThatSaveWork) {
  // s=2 k=3 and s=3 k=5 need 2 and 3 source pixels per axis instead of 3 and 5.
  EXPECT_EQ(UpsampleConvTaps(3, 2), 2);
  EXPECT_EQ(UpsampleConvTaps(5, 3), 3);
  EXPECT_EQ(UpsampleConvTaps(2, 3), 2);  // k < s: nothing saved, plain path
  EXPECT_TRUE(Folded(UpsampleThenConv(kCases[0], 7)));
  EXPECT_FALSE(Folded(UpsampleThenConv(kCases[6], 7)));
}

TEST(OneDnnUpsampleConv, Bf16PlanStaysWithinTheBf16Bound) {
  if (!CpuRunsBf16Natively()) GTEST_SKIP() << "no native bf16 (ISA " << CpuIsaName() << ")";
  const OneDnnOptions bf16{.bf16 = true};
  uint32_t seed = 40;
  for (const FoldCase& c : kCases) {
    const Graph graph = UpsampleThenConv(c, ++seed, true);
    SCOPED_TRACE(graph.Summary());
    EXPECT_EQ(Folded(graph),
              UpsampleConvTaps(c.kh, c.sh) < c.kh || UpsampleConvTaps(c.kw, c.sw) < c.kw);
    for (int64_t batch : {1, 3}) {
      ExpectMatchesReference(graph, RandomInputs(graph, batch, seed), 2e-2, bf16);
    }
  }
}

TEST(OneDnnUpsampleConv, OnnxUpsampleThenConvExportsFoldAndMatch) {
  const std::string dir = SourceDir() + "/tests/fixtures/onnx/";
  for (const char* name :
       {"upsample_conv_op9", "upsample_conv_op11", "upsample_conv_op13", "upsample_conv_op17"}) {
    SCOPED_TRACE(name);
    auto model = LoadOnnxModel(dir + name + ".onnx");
    ASSERT_TRUE(model.ok()) << model.status();
    EXPECT_TRUE(Folded(*model->graph));
    for (int64_t batch : {1, 4}) {
      ExpectMatchesReference(*model->graph, RandomInputs(*model->graph, batch, 3));
    }
  }
}

}  // namespace
}  // namespace ganserve
