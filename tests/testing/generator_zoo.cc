#include "tests/testing/generator_zoo.h"

#include <cmath>

#include "engine/graph_builder.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/batch_norm.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/dense.h"
#include "engine/ops/reshape.h"
#include "engine/ops/upsampling2d.h"

namespace ganserve {
namespace {

// Weights scaled by 1/sqrt(fan_in) so activations stay O(1) through deep stacks.
Tensor Weights(Dims dims, int64_t fan_in, std::mt19937& rng) {
  const float a = std::sqrt(3.0f / static_cast<float>(fan_in));
  return RandomTensor(std::move(dims), rng, -a, a);
}

ConvAttributes Conv(int64_t stride, Padding padding) {
  ConvAttributes a;
  a.stride_h = a.stride_w = stride;
  a.padding = padding;
  return a;
}

const Activation kLeaky = Activation::Of(Activation::Kind::kLeakyRelu, 0.2f);

}  // namespace

Tensor RandomTensor(Dims dims, std::mt19937& rng, float lo, float hi) {
  Tensor t(std::move(dims));
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float& x : t.data) x = dist(rng);
  return t;
}

absl::StatusOr<Graph> TutorialGenerator(bool transpose, uint32_t seed) {
  std::mt19937 rng(seed);
  GraphBuilder b;
  b.Input("input", {100});
  b.Add("dense_1",
        DenseOp(Weights({100, 3200}, 100, rng), RandomTensor({3200}, rng), Activation::Linear()),
        {b.last()});
  b.Add("reshape_1", ReshapeOp({5, 5, 128}), {b.last()});
  if (transpose) {
    b.Add("conv2d_transpose_1",
          Conv2DTransposeOp(Weights({3, 3, 1, 128}, 128 * 9, rng), RandomTensor({1}, rng),
                            Conv(2, Padding::kSame), Activation::Linear()),
          {b.last()});
  } else {
    b.Add("up_sampling2d_1", UpSampling2DOp(2, 2, Interpolation::kNearest), {b.last()});
    b.Add("conv2d_1",
          Conv2DOp(Weights({3, 3, 128, 1}, 128 * 9, rng), RandomTensor({1}, rng),
                   Conv(1, Padding::kSame), Activation::Linear()),
          {b.last()});
  }
  return b.Build();
}

absl::StatusOr<Graph> MnistDcgan(uint32_t seed) {
  std::mt19937 rng(seed);
  GraphBuilder b;
  b.Input("z", {100});
  b.Add("dense",
        DenseOp(Weights({100, 7 * 7 * 128}, 100, rng),
                RandomTensor({7 * 7 * 128}, rng, -0.1f, 0.1f), Activation::Linear()),
        {b.last()});
  b.Add("leaky_re_lu", ActivationOp(kLeaky), {b.last()});
  b.Add("reshape", ReshapeOp({7, 7, 128}), {b.last()});
  for (int i = 0; i < 2; ++i) {
    b.Add("conv2d_transpose_" + std::to_string(i),
          Conv2DTransposeOp(Weights({4, 4, 128, 128}, 128 * 4, rng),
                            RandomTensor({128}, rng, -0.1f, 0.1f), Conv(2, Padding::kSame),
                            Activation::Linear()),
          {b.last()});
    b.Add("leaky_re_lu_" + std::to_string(i), ActivationOp(kLeaky), {b.last()});
  }
  b.Add("conv2d",
        Conv2DOp(Weights({7, 7, 128, 1}, 128 * 49, rng), RandomTensor({1}, rng),
                 Conv(1, Padding::kSame), Activation::Of(Activation::Kind::kTanh)),
        {b.last()});
  return b.Build();
}

absl::StatusOr<Graph> Dcgan64(uint32_t seed) {
  std::mt19937 rng(seed);
  GraphBuilder b;
  b.Input("z", {1, 1, 100});
  const int64_t channels[] = {100, 512, 256, 128, 64};
  const Activation relu = Activation::Of(Activation::Kind::kRelu);
  for (int i = 0; i < 4; ++i) {
    ConvAttributes a = Conv(i == 0 ? 1 : 2, i == 0 ? Padding::kValid : Padding::kExplicit);
    if (i > 0) a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = 1;
    const std::string n = std::to_string(i);
    b.Add("convt" + n,
          Conv2DTransposeOp(Weights({4, 4, channels[i + 1], channels[i]}, channels[i] * 4, rng),
                            std::nullopt, a, Activation::Linear()),
          {b.last()});
    b.Add("bn" + n, RandomBatchNorm(channels[i + 1], rng), {b.last()});
    b.Add("relu" + n, ActivationOp(relu), {b.last()});
  }
  ConvAttributes a = Conv(2, Padding::kExplicit);
  a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = 1;
  b.Add("convt4",
        Conv2DTransposeOp(Weights({4, 4, 3, 64}, 64 * 4, rng), std::nullopt, a,
                          Activation::Of(Activation::Kind::kTanh)),
        {b.last()});
  return b.Build();
}

absl::StatusOr<Graph> UpsamplingGenerator128(uint32_t seed) {
  std::mt19937 rng(seed);
  GraphBuilder b;
  b.Input("z", {128});
  b.Add("dense", DenseOp(Weights({128, 4 * 4 * 512}, 128, rng), std::nullopt, kLeaky), {b.last()});
  b.Add("reshape", ReshapeOp({4, 4, 512}), {b.last()});
  int64_t c = 512;
  for (int i = 0; i < 5; ++i) {
    const std::string n = std::to_string(i);
    b.Add("up" + n, UpSampling2DOp(2, 2, Interpolation::kNearest), {b.last()});
    b.Add("conv" + n,
          Conv2DOp(Weights({3, 3, c, c / 2}, c * 9, rng), std::nullopt, Conv(1, Padding::kSame),
                   Activation::Linear()),
          {b.last()});
    c /= 2;
    b.Add("bn" + n, RandomBatchNorm(c, rng), {b.last()});
    b.Add("lrelu" + n, ActivationOp(kLeaky), {b.last()});
  }
  b.Add("to_rgb",
        Conv2DOp(Weights({3, 3, c, 3}, c * 9, rng), RandomTensor({3}, rng, -0.1f, 0.1f),
                 Conv(1, Padding::kSame), Activation::Of(Activation::Kind::kTanh)),
        {b.last()});
  return b.Build();
}

BatchNormOp RandomBatchNorm(int64_t c, std::mt19937& rng) {
  BatchNormWeights w;
  w.gamma = RandomTensor({c}, rng, 0.5f, 1.5f);
  w.beta = RandomTensor({c}, rng, -0.2f, 0.2f);
  w.moving_mean = RandomTensor({c}, rng, -0.2f, 0.2f);
  w.moving_variance = RandomTensor({c}, rng, 0.5f, 2.0f);
  return BatchNormOp(-1, 1e-3f, std::move(w));
}

std::vector<ZooModel> GeneratorZoo() {
  return {{"tutorial_upsampling", [](uint32_t s) { return TutorialGenerator(false, s); }},
          {"tutorial_transpose", [](uint32_t s) { return TutorialGenerator(true, s); }},
          {"mnist_dcgan", MnistDcgan},
          {"dcgan64", Dcgan64},
          {"upsampling128", UpsamplingGenerator128}};
}

}  // namespace ganserve
