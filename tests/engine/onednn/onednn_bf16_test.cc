// oneDNN in bf16 (OneDnnOptions::bf16) against the reference executor in
// f32 on random shapes, and against oneDNN in f32 as images: the bounds the
// README states. Skipped where oneDNN finds no native bf16 (avx512_bf16, AMX).
#include <iostream>
#include <random>

#include "engine/graph_builder.h"
#include "engine/image_error.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/upsampling2d.h"
#include "tests/engine/onednn/onednn_test_util.h"

namespace ganserve {
namespace {

// Relative error of a bf16 layer (8-bit mantissas in, f32 sums) followed by
// the f32 output layer, on values in [-1, 1].
constexpr double kBf16Tolerance = 1e-2;
// As uint8 images, the zoo's bf16 output against its f32 output (README).
constexpr double kMinPsnrDb = 45;
constexpr int kMaxLevelDifference = 8;

const OneDnnOptions kBf16{.bf16 = true};

class Bf16Test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!CpuRunsBf16Natively()) {
      GTEST_SKIP() << "oneDNN runs no native bf16 on this CPU (ISA " << CpuIsaName() << ")";
    }
  }
};

struct LayerCase {
  const char* name;
  bool transpose;
  int64_t k, stride;
  Padding padding;
};

// x -> the layer under test (bf16) with BatchNorm and LeakyReLU -> a 3x3
// output convolution with tanh (f32). Sizes and channels from the seed,
// channels sometimes whole oneDNN blocks (8, 16, 32) and sometimes not.
absl::StatusOr<Graph> LayerThenOutput(const LayerCase& c, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> size(3, 9), odd(1, 19);
  const int64_t pick[] = {8, 16, 32, odd(rng)};
  const int64_t h = size(rng), w = size(rng), ic = pick[seed % 4], oc = pick[(seed + 1) % 4];
  ConvAttributes a;
  a.stride_h = a.stride_w = c.stride;
  a.padding = c.padding;
  GraphBuilder b;
  b.Input("x", {h, w, ic});
  const float scale = 1.0f / static_cast<float>(c.k * std::sqrt(ic));
  if (c.transpose) {
    b.Add("layer",
          Conv2DTransposeOp(RandomTensor({c.k, c.k, oc, ic}, rng, -scale, scale),
                            RandomTensor({oc}, rng), a, Activation::Linear()),
          {0});
  } else {
    b.Add("layer",
          Conv2DOp(RandomTensor({c.k, c.k, ic, oc}, rng, -scale, scale), RandomTensor({oc}, rng), a,
                   Activation::Linear()),
          {0});
  }
  b.Add("bn", RandomBatchNorm(oc, rng), {b.last()});
  b.Add("lrelu", ActivationOp(Activation::Of(Activation::Kind::kLeakyRelu, 0.2f)), {b.last()});
  ConvAttributes same;
  same.padding = Padding::kSame;
  const float out_scale = 1.0f / static_cast<float>(3 * std::sqrt(oc));
  b.Add("out",
        Conv2DOp(RandomTensor({3, 3, oc, 3}, rng, -out_scale, out_scale), RandomTensor({3}, rng),
                 same, Activation::Of(Activation::Kind::kTanh)),
        {b.last()});
  return b.Build();
}

class Bf16Layers : public Bf16Test, public ::testing::WithParamInterface<LayerCase> {};

TEST_P(Bf16Layers, MatchReferenceWithinTheBf16Bound) {
  for (uint32_t seed : {1u, 2u, 3u, 4u}) {
    for (int64_t batch : {1, 5}) {
      SCOPED_TRACE(::testing::Message() << "seed " << seed << " batch " << batch);
      const auto graph = LayerThenOutput(GetParam(), seed);
      ASSERT_TRUE(graph.ok()) << graph.status();
      ExpectMatchesReference(*graph, RandomInputs(*graph, batch, seed), kBf16Tolerance, kBf16);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Bf16Layers,
    ::testing::Values(LayerCase{"conv_k3s1same", false, 3, 1, Padding::kSame},
                      LayerCase{"conv_k3s2valid", false, 3, 2, Padding::kValid},
                      LayerCase{"conv_k1s1same", false, 1, 1, Padding::kSame},
                      // Phase convolutions: k a multiple of s, odd k, k = s.
                      LayerCase{"deconv_k4s2same", true, 4, 2, Padding::kSame},
                      LayerCase{"deconv_k3s2same", true, 3, 2, Padding::kSame},
                      LayerCase{"deconv_k5s2valid", true, 5, 2, Padding::kValid},
                      LayerCase{"deconv_k2s2valid", true, 2, 2, Padding::kValid},
                      // k < s: oneDNN's deconvolution plus bias-only rows.
                      LayerCase{"deconv_k1s2same", true, 1, 2, Padding::kSame},
                      LayerCase{"deconv_k3s1same", true, 3, 1, Padding::kSame}),
    [](const auto& info) { return std::string(info.param.name); });

ConvAttributes SamePadding(int64_t stride) {
  ConvAttributes a;
  a.padding = Padding::kSame;
  a.stride_h = a.stride_w = stride;
  return a;
}

// An input of c channels and an odd-looking size between 3 and 7 per axis.
void AddRandomInput(GraphBuilder& b, std::mt19937& rng, int64_t c) {
  std::uniform_int_distribution<int64_t> size(3, 7);
  const int64_t h = size(rng), w = size(rng);
  b.Input("x", {h, w, c});
}

void AddBatchNormThen(GraphBuilder& b, const std::string& name, int64_t c, std::mt19937& rng,
                      Activation activation) {
  b.Add(name + "_bn", RandomBatchNorm(c, rng), {b.last()});
  b.Add(name + "_act", ActivationOp(activation), {b.last()});
}

// Layers whose channels are whole 16-channel blocks hand bf16 nChw16c values
// from one to the next (a per-phase deconvolution, an upsampling folded into
// a convolution, a direct convolution) and into the f32 output layer, on odd
// sizes with BatchNorm and activations fused.
TEST_F(Bf16Test, BlockedLayersInAChainMatchReference) {
  for (uint32_t seed : {11u, 12u}) {
    std::mt19937 rng(seed);
    const ConvAttributes same = SamePadding(1), up_same = SamePadding(2);
    GraphBuilder b;
    AddRandomInput(b, rng, 32);
    b.Add("deconv",
          Conv2DTransposeOp(RandomTensor({4, 4, 32, 32}, rng, -0.05f, 0.05f),
                            RandomTensor({32}, rng), up_same, Activation::Linear()),
          {0});
    AddBatchNormThen(b, "deconv", 32, rng, Activation::Of(Activation::Kind::kRelu));
    b.Add("up", UpSampling2DOp(2, 2, Interpolation::kNearest), {b.last()});
    b.Add("conv",
          Conv2DOp(RandomTensor({3, 3, 32, 16}, rng, -0.06f, 0.06f), RandomTensor({16}, rng), same,
                   Activation::Linear()),
          {b.last()});
    AddBatchNormThen(b, "conv", 16, rng, Activation::Of(Activation::Kind::kLeakyRelu, 0.2f));
    b.Add("conv2",
          Conv2DOp(RandomTensor({3, 3, 16, 16}, rng, -0.08f, 0.08f), RandomTensor({16}, rng), same,
                   Activation::Of(Activation::Kind::kRelu)),
          {b.last()});
    b.Add("out",
          Conv2DOp(RandomTensor({3, 3, 16, 3}, rng, -0.08f, 0.08f), RandomTensor({3}, rng), same,
                   Activation::Of(Activation::Kind::kTanh)),
          {b.last()});
    const auto graph = b.Build();
    ASSERT_TRUE(graph.ok()) << graph.status();
    for (int64_t batch : {1, 3}) {
      SCOPED_TRACE(::testing::Message() << "seed " << seed << " batch " << batch);
      ExpectMatchesReference(*graph, RandomInputs(*graph, batch, seed), 2e-2, kBf16);
    }
  }
}

// The phase copy of the last bf16 layer writes f32 straight for the f32
// output convolution (a phase convolution here), from a per-phase
// deconvolution and from an upsampling folded into a convolution.
TEST_F(Bf16Test, TheLastPhaseCopyWidensForTheF32OutputLayer) {
  for (const bool upsample : {false, true}) {
    std::mt19937 rng(upsample ? 21 : 22);
    const ConvAttributes same = SamePadding(1), up_same = SamePadding(2);
    GraphBuilder b;
    AddRandomInput(b, rng, 16);
    if (upsample) {
      b.Add("up", UpSampling2DOp(2, 2, Interpolation::kNearest), {0});
      b.Add("layer",
            Conv2DOp(RandomTensor({3, 3, 16, 32}, rng, -0.08f, 0.08f), RandomTensor({32}, rng),
                     same, Activation::Linear()),
            {b.last()});
    } else {
      b.Add("layer",
            Conv2DTransposeOp(RandomTensor({4, 4, 32, 16}, rng, -0.06f, 0.06f),
                              RandomTensor({32}, rng), up_same, Activation::Linear()),
            {0});
    }
    AddBatchNormThen(b, "layer", 32, rng, Activation::Of(Activation::Kind::kRelu));
    b.Add("out",
          Conv2DTransposeOp(RandomTensor({4, 4, 3, 32}, rng, -0.05f, 0.05f), RandomTensor({3}, rng),
                            up_same, Activation::Of(Activation::Kind::kTanh)),
          {b.last()});
    const auto graph = b.Build();
    ASSERT_TRUE(graph.ok()) << graph.status();
    for (int64_t batch : {1, 3}) {
      SCOPED_TRACE(::testing::Message() << "upsample " << upsample << " batch " << batch);
      ExpectMatchesReference(*graph, RandomInputs(*graph, batch, 23), kBf16Tolerance, kBf16);
    }
  }
}

// The output layer stays f32: a graph of one convolution is as exact in a
// bf16 plan as in an f32 one.
TEST_F(Bf16Test, OutputLayerStaysF32) {
  std::mt19937 rng(5);
  ConvAttributes same;
  same.padding = Padding::kSame;
  GraphBuilder b;
  b.Input("x", {6, 5, 16});
  b.Add("up", UpSampling2DOp(2, 2, Interpolation::kNearest), {0});
  b.Add("out",
        Conv2DOp(RandomTensor({3, 3, 16, 3}, rng), RandomTensor({3}, rng), same,
                 Activation::Of(Activation::Kind::kTanh)),
        {b.last()});
  const auto graph = b.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  ExpectMatchesReference(*graph, RandomInputs(*graph, 3, 5), 1e-5, kBf16);
}

// And the layers before it do round: bf16 is not f32 in disguise.
TEST_F(Bf16Test, LayersBeforeTheOutputRunInBf16) {
  const auto graph = LayerThenOutput({"conv", false, 3, 1, Padding::kSame}, 6);
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto shared = std::make_shared<const Graph>(*graph);
  auto f32 = OneDnnExecutor::Create(shared);
  auto bf16 = OneDnnExecutor::Create(shared, kBf16);
  ASSERT_TRUE(f32.ok() && bf16.ok());
  const std::vector<Tensor> inputs = RandomInputs(*shared, 2, 6);
  EXPECT_GT(RelativeError(RunWith(**bf16, inputs), RunWith(**f32, inputs)), 1e-4);
}

class Bf16Zoo : public Bf16Test, public ::testing::WithParamInterface<ZooModel> {};

TEST_P(Bf16Zoo, ImagesWithinTheStatedBoundOfF32) {
  const auto graph = GetParam().make(7);
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto shared = std::make_shared<const Graph>(*graph);
  auto f32 = OneDnnExecutor::Create(shared);
  auto bf16 = OneDnnExecutor::Create(shared, kBf16);
  ASSERT_TRUE(f32.ok() && bf16.ok());
  // Normal latents, as ganserve samples them (the zoo's output is tanh).
  std::mt19937 rng(9);
  std::normal_distribution<float> normal;
  Tensor z(WithBatch(4, shared->input_dims(0)));
  for (float& v : z.data) v = normal(rng);
  const Tensor want = RunWith(**f32, {z});
  const Tensor got = RunWith(**bf16, {z});
  ASSERT_EQ(got.shape, want.shape);
  const ImageError error = CompareAsImages(got.data, want.data, -1, 1);
  EXPECT_GE(error.psnr_db, kMinPsnrDb);
  EXPECT_LE(error.max_level_difference, kMaxLevelDifference);
  std::cout << GetParam().name << ": PSNR " << error.psnr_db << " dB, max "
            << error.max_level_difference << " levels vs f32\n";
}

INSTANTIATE_TEST_SUITE_P(Generators, Bf16Zoo, ::testing::ValuesIn(GeneratorZoo()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace ganserve
