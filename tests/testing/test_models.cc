#include "tests/testing/test_models.h"

#include <fstream>
#include <random>

#include "engine/generator_factory.h"
#include "engine/graph_builder.h"
#include "engine/ops/concatenate.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/dense.h"
#include "engine/ops/embedding.h"
#include "engine/ops/reshape.h"

namespace ganserve::testing {
namespace {

Tensor Random(Dims dims, std::mt19937& rng) {
  Tensor t(std::move(dims));
  std::uniform_real_distribution<float> uniform(-0.8f, 0.8f);
  for (float& v : t.data) v = uniform(rng);
  return t;
}

LoadedModel Wrap(Graph graph, std::string name) {
  LoadedModel model;
  model.graph = std::make_shared<const Graph>(std::move(graph));
  model.format = "test";
  model.model_name = std::move(name);
  return model;
}

}  // namespace

LoadedModel ConditionalModel(uint32_t weight_seed) {
  std::mt19937 rng(weight_seed);
  GraphBuilder b;
  const int latent = b.Input("latent", {kLatentSize});
  const int label = b.Input("label", {1});
  b.Add("embedding", EmbeddingOp(Random({kClasses, 3}, rng)), {label});
  const int flat = b.Add("flatten", FlattenOp(), {b.last()});
  const int joined = b.Add("concatenate", ConcatenateOp(-1), {latent, flat});
  b.Add("dense",
        DenseOp(Random({7, 12}, rng), Random({12}, rng),
                Activation::Of(Activation::Kind::kLeakyRelu, 0.2f)),
        {joined});
  b.Add("reshape", ReshapeOp({2, 2, 3}), {b.last()});
  ConvAttributes attrs;
  attrs.stride_h = attrs.stride_w = 2;
  attrs.padding = Padding::kSame;
  b.Add("conv2d_transpose",
        Conv2DTransposeOp(Random({2, 2, 1, 3}, rng), Random({1}, rng), attrs,
                          Activation::Of(Activation::Kind::kTanh)),
        {b.last()});
  auto graph = b.Build();
  return Wrap(*std::move(graph), "cgan");
}

LoadedModel UnconditionalModel(uint32_t weight_seed) {
  std::mt19937 rng(weight_seed);
  GraphBuilder b;
  b.Input("latent", {kLatentSize});
  b.Add("dense",
        DenseOp(Random({kLatentSize, 48}, rng), Random({48}, rng),
                Activation::Of(Activation::Kind::kSigmoid)),
        {0});
  b.Add("reshape", ReshapeOp({4, 4, 3}), {b.last()});
  auto graph = b.Build();
  return Wrap(*std::move(graph), "gan");
}

LoadedModel SlowModel(uint32_t weight_seed, int hidden_layers) {
  std::mt19937 rng(weight_seed);
  GraphBuilder b;
  b.Input("latent", {kLatentSize});
  const Activation tanh = Activation::Of(Activation::Kind::kTanh);
  b.Add("dense_in",
        DenseOp(Random({kLatentSize, kSlowWidth}, rng), Random({kSlowWidth}, rng), tanh), {0});
  for (int i = 0; i < hidden_layers; ++i) {
    b.Add("dense_" + std::to_string(i),
          DenseOp(Random({kSlowWidth, kSlowWidth}, rng), Random({kSlowWidth}, rng), tanh),
          {b.last()});
  }
  b.Add("dense_out",
        DenseOp(Random({kSlowWidth, 48}, rng), Random({48}, rng),
                Activation::Of(Activation::Kind::kSigmoid)),
        {b.last()});
  b.Add("reshape", ReshapeOp({4, 4, 3}), {b.last()});
  auto graph = b.Build();
  return Wrap(*std::move(graph), "slow");
}

std::unique_ptr<LoadedGenerator> MakeGenerator(LoadedModel model, ModelOptions options) {
  auto generator = BuildGenerator(std::move(model), std::move(options), ExecutorKind::kReference);
  return generator.ok() ? *std::move(generator) : nullptr;
}

absl::StatusOr<LoadedModel> LoadTestModelFile(const std::string& path) {
  std::ifstream in(path);
  std::string kind;
  uint32_t seed = 0;
  if (!(in >> kind >> seed)) return absl::InvalidArgumentError(path + ": not a test model file");
  if (kind == "conditional") return ConditionalModel(seed);
  if (kind == "unconditional") return UnconditionalModel(seed);
  return absl::InvalidArgumentError(path + ": unknown test model kind " + kind);
}

}  // namespace ganserve::testing
