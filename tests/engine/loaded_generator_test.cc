// LoadedGenerator: finds the latent and label inputs, the image shape and the
// value range from the graph and model.json; CHW outputs come back as HWC.
#include <cstdio>
#include <fstream>
#include <limits>

#include "engine/generation.h"
#include "engine/generator_factory.h"
#include "engine/graph_builder.h"
#include "engine/loaders/load_model.h"
#include "engine/ops/dense.h"
#include "engine/ops/embedding.h"
#include "engine/ops/reshape.h"
#include "engine/ops/transpose.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ganserve {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

Tensor Ramp(Dims dims, float scale) {
  Tensor t(std::move(dims));
  for (int64_t i = 0; i < t.size(); ++i) t.data[i] = scale * static_cast<float>(i % 7 - 3);
  return t;
}

// latent (3,) → Dense(2*3*2) → Reshape(2,3,2) [→ Transpose to CHW].
LoadedModel SmallModel(Activation activation, bool chw_output, bool flat = false) {
  GraphBuilder b;
  b.Input("z", {3});
  b.Add("dense", DenseOp(Ramp({3, 12}, 0.1f), std::nullopt, activation), {0});
  if (!flat) b.Add("reshape", ReshapeOp({2, 3, 2}), {b.last()});
  if (chw_output) b.Add("to_chw", TransposeOp({2, 0, 1}), {b.last()});
  LoadedModel model;
  model.graph = std::make_shared<const Graph>(*b.Build());
  model.output_layout = chw_output ? SampleLayout::kChannelsFirst : SampleLayout::kChannelsLast;
  return model;
}

absl::StatusOr<std::unique_ptr<LoadedGenerator>> Make(LoadedModel model,
                                                      ModelOptions options = {}) {
  return BuildGenerator(std::move(model), std::move(options), ExecutorKind::kReference);
}

TEST(LoadedGenerator, ChannelsFirstOutputIsTransposedToHwc) {
  auto hwc = Make(SmallModel(Activation::Of(Activation::Kind::kTanh), false));
  auto chw = Make(SmallModel(Activation::Of(Activation::Kind::kTanh), true));
  ASSERT_TRUE(hwc.ok()) << hwc.status();
  ASSERT_TRUE(chw.ok()) << chw.status();
  EXPECT_EQ((*chw)->height(), 2);
  EXPECT_EQ((*chw)->width(), 3);
  EXPECT_EQ((*chw)->channels(), 2);
  const std::vector<float> latents = {0.5f, -1.0f, 2.0f, 0.1f, 0.2f, 0.3f};
  Tensor a, b;
  auto ca = (*hwc)->NewContext();
  auto cb = (*chw)->NewContext();
  ASSERT_TRUE((*hwc)->Run(*ca, latents, {}, a).ok());
  ASSERT_TRUE((*chw)->Run(*cb, latents, {}, b).ok());
  EXPECT_EQ(b.shape, (Dims{2, 2, 3, 2}));
  EXPECT_EQ(a.data, b.data);
}

TEST(Generation, AnImageWithANonFiniteValueIsAnErrorInEveryEncoding) {
  auto g = Make(SmallModel(Activation::Of(Activation::Kind::kTanh), false));
  ASSERT_TRUE(g.ok()) << g.status();
  std::vector<float> pixels((*g)->image_size(), 0.25f);
  for (ImageEncoding encoding :
       {ImageEncoding::kPng, ImageEncoding::kRawUint8, ImageEncoding::kRawFloat32}) {
    EXPECT_TRUE(EncodeImage(**g, pixels.data(), encoding).ok());
  }
  pixels[7] = std::numeric_limits<float>::quiet_NaN();
  for (ImageEncoding encoding :
       {ImageEncoding::kPng, ImageEncoding::kRawUint8, ImageEncoding::kRawFloat32}) {
    absl::StatusOr<std::string> bytes = EncodeImage(**g, pixels.data(), encoding);
    EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInternal);
    EXPECT_THAT(bytes.status().message(), HasSubstr("non-finite value (nan) at pixel value 7"));
  }
  pixels[7] = std::numeric_limits<float>::infinity();
  EXPECT_FALSE(EncodeImage(**g, pixels.data(), ImageEncoding::kPng).ok());
}

// latent (3,) → Dense with a zero kernel: every sample's output is `bias`,
// flat or reshaped to (1, bias.size(), 1).
LoadedModel ConstantModel(std::vector<float> bias, bool flat, std::string format = "keras-h5") {
  GraphBuilder b;
  const int64_t n = static_cast<int64_t>(bias.size());
  b.Input("z", {3});
  b.Add("dense", DenseOp(Tensor({3, n}), Tensor({n}, std::move(bias)), Activation::Linear()), {0});
  if (!flat) b.Add("reshape", ReshapeOp({1, n, 1}), {b.last()});
  LoadedModel model;
  model.graph = std::make_shared<const Graph>(*b.Build());
  model.format = std::move(format);
  return model;
}

TEST(LoadedGenerator, ValueRangeComesFromTheLastActivationOrModelJson) {
  auto tanh = Make(SmallModel(Activation::Of(Activation::Kind::kTanh), false));
  ASSERT_TRUE(tanh.ok());
  EXPECT_EQ((*tanh)->value_min(), -1.0f);
  EXPECT_EQ((*tanh)->range_source(), "activation");
  auto sigmoid = Make(SmallModel(Activation::Of(Activation::Kind::kSigmoid), true));
  ASSERT_TRUE(sigmoid.ok());
  EXPECT_EQ((*sigmoid)->value_min(), 0.0f);
  EXPECT_EQ((*sigmoid)->value_max(), 1.0f);
  // Through the Transpose to channels-first: it moves values without changing them.
  EXPECT_EQ((*sigmoid)->range_source(), "activation");
  ModelOptions options;
  options.output_range = {{-2.0f, 2.0f}};
  // model.json wins even over a calibration that would pick [0, 255].
  auto given = Make(ConstantModel({3.0f, 200.0f}, false), options);
  ASSERT_TRUE(given.ok());
  EXPECT_EQ((*given)->value_max(), 2.0f);
  EXPECT_EQ((*given)->range_source(), "model.json");
}

TEST(LoadedGenerator, UnboundedOutputIsCalibratedToTheTightestConventionalRange) {
  struct Case {
    std::vector<float> outputs;
    float min, max;
  };
  for (const Case& c : {Case{{0.2f, 0.9f}, 0.0f, 1.0f}, Case{{-0.02f, 1.03f}, 0.0f, 1.0f},
                        Case{{-0.8f, 0.5f}, -1.0f, 1.0f}, Case{{0.1f, 1.06f}, -1.0f, 1.0f},
                        Case{{3.0f, 200.0f}, 0.0f, 255.0f}, Case{{-4.0f, 90.0f}, 0.0f, 255.0f}}) {
    auto g = Make(ConstantModel(c.outputs, false));
    ASSERT_TRUE(g.ok()) << g.status();
    EXPECT_EQ((*g)->range_source(), "calibrated");
    EXPECT_EQ((*g)->value_min(), c.min) << c.outputs[0] << ", " << c.outputs[1];
    EXPECT_EQ((*g)->value_max(), c.max) << c.outputs[0] << ", " << c.outputs[1];
  }
  auto refused = Make(ConstantModel({-5.0f, 300.0f}, false));
  EXPECT_THAT(refused.status().message(),
              AllOf(HasSubstr("linear"), HasSubstr("outputs in [-5, 300]"),
                    HasSubstr("set \"output_range\" in model.json")));
  // An overshooting [-1, 1] model is not a dark [0, 255] one.
  EXPECT_THAT(Make(ConstantModel({-1.5f, 1.5f}, false)).status().message(),
              HasSubstr("outputs in [-1.5, 1.5]"));
}

TEST(LoadedGenerator, CalibrationRunsTheModelOnRandomLatents) {
  // A Dense of a ramp: the outputs follow the latents' signs. Through
  // softsign (which bounds but is not one of the activations a range is read
  // from) they spread over (-1, 1); linear with weights of 1.5 they leave it
  // both ways, which no convention holds.
  const auto ramp = [](float scale, Activation::Kind kind) {
    GraphBuilder b;
    b.Input("z", {3});
    b.Add("dense", DenseOp(Ramp({3, 12}, scale), std::nullopt, Activation::Of(kind)), {0});
    b.Add("reshape", ReshapeOp({2, 3, 2}), {b.last()});
    LoadedModel model;
    model.graph = std::make_shared<const Graph>(*b.Build());
    return model;
  };
  auto g = Make(ramp(1.0f, Activation::Kind::kSoftsign));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ((*g)->range_source(), "calibrated");
  EXPECT_EQ((*g)->value_min(), -1.0f);
  EXPECT_EQ((*g)->value_max(), 1.0f);
  EXPECT_THAT(Make(ramp(1.5f, Activation::Kind::kLinear)).status().message(),
              HasSubstr("inside none of"));
}

TEST(LoadedGenerator, FlatSquareOutputIsReshapedInTheProducersLayout) {
  std::vector<float> values(12);
  for (int i = 0; i < 12; ++i) values[i] = 0.05f * static_cast<float>(i);
  for (const char* format : {"keras-h5", "onnx"}) {
    auto g = Make(ConstantModel(values, true, format));
    ASSERT_TRUE(g.ok()) << g.status();
    EXPECT_EQ((*g)->shape_source(), "inferred");
    EXPECT_EQ((*g)->height(), 2);
    EXPECT_EQ((*g)->width(), 2);
    EXPECT_EQ((*g)->channels(), 3);
    Tensor images;
    auto context = (*g)->NewContext();
    ASSERT_TRUE((*g)->Run(*context, std::vector<float>{1, 2, 3}, {}, images).ok());
    const bool chw = std::string(format) == "onnx";
    for (int h = 0; h < 2; ++h) {
      for (int w = 0; w < 2; ++w) {
        for (int c = 0; c < 3; ++c) {
          const int flat = chw ? c * 4 + h * 2 + w : (h * 2 + w) * 3 + c;
          EXPECT_FLOAT_EQ(images.data[(h * 2 + w) * 3 + c], values[flat]) << format;
        }
      }
    }
  }
}

TEST(LoadedGenerator, FlatOutputNeedsShapeAndLayoutFromModelJsonWhenNotSquare) {
  const std::vector<float> ten(10, 0.5f);
  auto refused = Make(ConstantModel(ten, true));
  EXPECT_THAT(refused.status().message(),
              AllOf(HasSubstr("not a square image with 1 or 3 channels"),
                    HasSubstr("\"output_shape\" and \"layout\"")));
  auto options = ParseModelOptions(R"({"output_shape": [2, 5, 1], "layout": "NHWC"})");
  ASSERT_TRUE(options.ok()) << options.status();
  auto flat = Make(ConstantModel(ten, true), *options);
  ASSERT_TRUE(flat.ok()) << flat.status();
  EXPECT_EQ((*flat)->shape_source(), "model.json");
  EXPECT_EQ((*flat)->height(), 2);
  EXPECT_EQ((*flat)->width(), 5);
  // model.json wins over the inference for a square output too.
  auto given = ParseModelOptions(R"({"output_shape": [1, 3, 4], "layout": "NHWC"})");
  ASSERT_TRUE(given.ok());
  auto square = Make(ConstantModel(std::vector<float>(12, 0.5f), true), *given);
  ASSERT_TRUE(square.ok()) << square.status();
  EXPECT_EQ((*square)->shape_source(), "model.json");
  EXPECT_EQ((*square)->width(), 3);
  EXPECT_EQ((*square)->channels(), 4);
}

TEST(LoadedGenerator, LabelInputIsTheOneFeedingTheEmbedding) {
  GraphBuilder b;
  b.Input("label", {1});
  b.Input("z", {3});
  b.Add("embedding", EmbeddingOp(Ramp({5, 3}, 0.2f)), {0});
  b.Add("flatten", FlattenOp(), {b.last()});
  b.Add("dense", DenseOp(Ramp({3, 4}, 0.1f), std::nullopt, Activation::Of(Activation::Kind::kTanh)),
        {b.last()});
  b.Add("reshape", ReshapeOp({2, 2, 1}), {b.last()});
  LoadedModel model;
  model.graph = std::make_shared<const Graph>(*b.Build());
  auto g = Make(model);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE((*g)->conditional());
  EXPECT_EQ((*g)->label_count(), 5);
  EXPECT_EQ((*g)->latent_size(), 3);
  Tensor out;
  auto ctx = (*g)->NewContext();
  const std::vector<float> z = {0, 0, 0};
  EXPECT_THAT((*g)->Run(*ctx, z, std::vector<int32_t>{5}, out).message(),
              HasSubstr("outside [0, 5)"));
  ModelOptions wrong_names;
  wrong_names.labels = {"a", "b"};
  EXPECT_THAT(Make(model, wrong_names).status().message(), HasSubstr("names 2 labels"));
}

TEST(ModelOptions, ParsesTheBundledModelsKeysAndRejectsTypos) {
  auto options = ParseModelOptions(
      R"({"labels": ["a","b"], "output_range": [-1, 1], "latent_distribution": "uniform",
          "layout": "NHWC"})");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->labels.size(), 2u);
  EXPECT_EQ(options->latent_distribution, Distribution::kUniform);
  EXPECT_EQ(options->layout, SampleLayout::kChannelsLast);
  EXPECT_THAT(ParseModelOptions(R"({"label": []})").status().message(),
              HasSubstr("unknown key \"label\""));
  EXPECT_THAT(ParseModelOptions("{").status().message(), HasSubstr("not valid JSON"));
  EXPECT_THAT(ParseModelOptions(R"({"output_range": [1, -1]})").status().message(),
              HasSubstr("min < max"));
}

TEST(ModelOptions, PrecisionKeyNamesOneOfThree) {
  EXPECT_EQ(ParseModelOptions(R"({"precision": "bf16"})")->precision, Precision::kBf16);
  EXPECT_EQ(ParseModelOptions(R"({"precision": "auto"})")->precision, Precision::kAuto);
  EXPECT_EQ(ParseModelOptions("{}")->precision, std::nullopt);
  EXPECT_THAT(ParseModelOptions(R"({"precision": "fp16"})").status().message(),
              HasSubstr("\"f32\", \"bf16\" or \"auto\""));
}

TEST(LoadedGenerator, Bf16NeedsOneDnnOnANativeCpuAndAutoResolvesToWhatRuns) {
  const auto build = [](ExecutorKind kind, Precision precision) {
    return BuildGenerator(SmallModel(Activation::Of(Activation::Kind::kTanh), false), {}, kind, {},
                          precision);
  };
  EXPECT_EQ((*build(ExecutorKind::kReference, Precision::kF32))->precision(), Precision::kF32);
  EXPECT_EQ((*build(ExecutorKind::kReference, Precision::kAuto))->precision(), Precision::kF32);
  auto on_reference = build(ExecutorKind::kReference, Precision::kBf16);
  EXPECT_EQ(on_reference.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(on_reference.status().message(), HasSubstr("onednn executor only"));
  auto bf16 = build(ExecutorKind::kOneDnn, Precision::kBf16);
  auto automatic = build(ExecutorKind::kOneDnn, Precision::kAuto);
  ASSERT_TRUE(automatic.ok()) << automatic.status();
  if (CpuRunsBf16Natively()) {
    ASSERT_TRUE(bf16.ok()) << bf16.status();
    EXPECT_EQ((*bf16)->precision(), Precision::kBf16);
  } else {
    EXPECT_EQ(bf16.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(bf16.status().message(), HasSubstr("avx512_bf16 or AMX"));
    EXPECT_EQ((*automatic)->precision(), Precision::kF32);
  }
}

TEST(LoadModel, PicksTheLoaderByMagicBytes) {
  const std::string path = ::testing::TempDir() + "/magic.bin";
  auto kind_of = [&](const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
    return DetectModelFileKind(path);
  };
  EXPECT_EQ(*kind_of(std::string("\x89HDF\r\n\x1a\n rest", 13)), ModelFileKind::kHdf5);
  EXPECT_EQ(*kind_of(std::string("PK\x03\x04zip", 7)), ModelFileKind::kZip);
  EXPECT_EQ(*kind_of("\x08\x07onnx"), ModelFileKind::kOnnx);
  std::remove(path.c_str());
  EXPECT_EQ(LoadModel(path).status().code(), absl::StatusCode::kNotFound);
}

TEST(ExecutorKindName, NamesBothExecutorsAndRefusesOthersNamingTheChoices) {
  EXPECT_EQ(*ParseExecutorKind("onednn"), ExecutorKind::kOneDnn);
  EXPECT_EQ(*ParseExecutorKind("reference"), ExecutorKind::kReference);
  const absl::Status bad = ParseExecutorKind("OneDNN").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "executor must be onednn or reference, got 'OneDNN'");
}

TEST(LoadModel, RepositoryScanTakesTheExtensionsOfEveryFormat) {
  for (const char* extension : {".h5", ".hdf5", ".keras", ".onnx"}) {
    EXPECT_TRUE(IsModelFileExtension(extension)) << extension;
  }
  for (const char* extension : {".json", ".H5", ".onnx.bak", ""}) {
    EXPECT_FALSE(IsModelFileExtension(extension)) << extension;
  }
}

}  // namespace
}  // namespace ganserve
