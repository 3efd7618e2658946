// The protocol-neutral Open Inference Protocol core: requests checked
// against the native API's own preparation of the same work, outputs
// checked against the generator run directly and the PNG decoder.
#include <cstring>

#include "engine/png.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/inference_outputs.h"
#include "tests/server/test_models.h"

namespace ganserve::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

InferInput Latents(std::vector<float> values) {
  InferInput input;
  input.name = kLatentInput;
  input.datatype = "FP32";
  input.shape = {static_cast<int64_t>(values.size()) / kLatentSize, kLatentSize};
  input.floats = std::move(values);
  return input;
}

InferInput Labels(std::vector<int64_t> values, std::string datatype = "INT32") {
  InferInput input;
  input.name = kLabelInput;
  input.datatype = std::move(datatype);
  input.shape = {static_cast<int64_t>(values.size())};
  input.integers = std::move(values);
  return input;
}

class InferenceTensorsTest : public ::testing::Test {
 protected:
  absl::StatusOr<InferPlan> Plan(const LoadedGenerator& generator, const InferRequest& request) {
    return PlanInference(generator, request, limits_);
  }
  void ExpectInvalid(const LoadedGenerator& generator, const InferRequest& request,
                     const std::string& message_part) {
    absl::StatusOr<InferPlan> plan = Plan(generator, request);
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(plan.status().message(), HasSubstr(message_part));
  }

  GenerationLimits limits_;
  std::unique_ptr<LoadedGenerator> cgan_ = MakeGenerator(ConditionalModel(1));
  std::unique_ptr<LoadedGenerator> gan_ = MakeGenerator(UnconditionalModel(2));
};

TEST_F(InferenceTensorsTest, LatentAndLabelInputsBecomeTheSameWorkAsTheNativeRequest) {
  const std::vector<float> latents = {0.1f, -0.2f, 0.3f, 0.9f, -1.0f, 0.5f, 0.0f, 2.0f};
  InferRequest request;
  request.inputs = {Latents(latents), Labels({7, 2}, "INT64")};
  absl::StatusOr<InferPlan> plan = Plan(*cgan_, request);
  ASSERT_TRUE(plan.ok()) << plan.status();

  GenerationRequest native;
  native.latents = latents;
  native.labels = {7, 2};
  absl::StatusOr<PreparedGeneration> expected = PrepareGeneration(*cgan_, native, limits_);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(plan->work.count, 2);
  EXPECT_EQ(plan->work.latents, expected->latents);
  EXPECT_EQ(plan->work.labels, expected->labels);
}

TEST_F(InferenceTensorsTest, SeedCountAndTruncationDrawTheNativeSamplersLatents) {
  InferRequest request;
  request.parameters = {
      {kSeedParameter, int64_t{42}}, {kCountParameter, int64_t{3}}, {kTruncationParameter, 0.5}};
  request.inputs = {Labels({4})};
  absl::StatusOr<InferPlan> plan = Plan(*cgan_, request);
  ASSERT_TRUE(plan.ok()) << plan.status();

  GenerationRequest native;
  native.seed = 42;
  native.count = 3;
  native.truncation = 0.5f;
  native.labels = {4};
  absl::StatusOr<PreparedGeneration> expected = PrepareGeneration(*cgan_, native, limits_);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(plan->work.latents, expected->latents);
  EXPECT_THAT(plan->work.labels, ElementsAre(4, 4, 4));
}

TEST_F(InferenceTensorsTest, NoOutputsRequestedMeansEveryOutputInMetadataOrder) {
  InferRequest request;
  absl::StatusOr<InferPlan> plan = Plan(*gan_, request);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->work.count, 1);
  EXPECT_THAT(plan->outputs, ElementsAre(InferOutputKind::kImage, InferOutputKind::kImageUint8,
                                         InferOutputKind::kPng));
  EXPECT_EQ(plan->encoding, ImageEncoding::kRawFloat32);
  std::vector<std::string> names;
  for (const auto& output : DescribeOutputs(*gan_)) names.push_back(output.name);
  EXPECT_THAT(names, ElementsAre(kImageOutput, kImageUint8Output, kPngOutput));
}

TEST_F(InferenceTensorsTest, APngOnlyRequestLetsTheRunEncodePng) {
  InferRequest request;
  request.outputs = {kPngOutput};
  absl::StatusOr<InferPlan> plan = Plan(*gan_, request);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->encoding, ImageEncoding::kPng);
  request.outputs = {kImageUint8Output};
  plan = Plan(*gan_, request);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->encoding, ImageEncoding::kRawUint8);
}

TEST_F(InferenceTensorsTest, BadRequestsNameTheTensorOrParameter) {
  InferRequest request;
  request.inputs = {Latents({1, 2, 3, 4})};
  request.inputs[0].datatype = "FP64";
  ExpectInvalid(*gan_, request, "input 'latent' must have datatype FP32, got FP64");

  request.inputs = {Latents({1, 2, 3, 4})};
  request.inputs[0].shape = {2, 2};
  ExpectInvalid(*gan_, request, "input 'latent' must have shape [-1, 4]");

  request.inputs = {Latents({1, 2, 3, 4})};
  request.inputs[0].shape = {2, 4};
  ExpectInvalid(*gan_, request, "input 'latent' has shape [2, 4] (8 elements) but 4");

  request.inputs = {Latents({1, 2, 3, 4}), Labels({1})};
  ExpectInvalid(*gan_, request, "unknown input 'label'; this model's inputs are: latent");

  request.inputs = {Latents({1, 2, 3, 4})};
  ExpectInvalid(*cgan_, request, "missing input 'label'");

  request.inputs = {Latents({1, 2, 3, 4}), Labels({10})};
  ExpectInvalid(*cgan_, request, "input 'label': label 10 is out of range [0, 10)");

  request.inputs = {Latents({1, 2, 3, 4}), Labels({1}, "FP32")};
  ExpectInvalid(*cgan_, request, "input 'label' must have datatype INT32 or INT64, got FP32");

  request.inputs = {Latents({1, 2, 3, 4, 5, 6, 7, 8}), Labels({1, 2, 3})};
  ExpectInvalid(*cgan_, request, "input 'label' has 3 values; give 1");

  request.inputs = {Latents({1, 2, 3, 4}), Latents({1, 2, 3, 4})};
  ExpectInvalid(*gan_, request, "input 'latent' is given twice");

  request.inputs = {Latents({1, 2, 3, std::nanf("")})};
  ExpectInvalid(*gan_, request, "input 'latent': latent value 3 is not finite");

  request.inputs = {Latents({1, 2, 3, 4})};
  request.parameters = {{kSeedParameter, int64_t{1}}};
  ExpectInvalid(*gan_, request, "give the input 'latent' or the parameters");

  request.inputs.clear();
  request.parameters = {{kCountParameter, int64_t{0}}};
  ExpectInvalid(*gan_, request, "parameter 'count' must be 1 to 256, got 0");
  request.parameters = {{kCountParameter, std::string("3")}};
  ExpectInvalid(*gan_, request, "parameter 'count' must be an integer");
  request.parameters = {{kSeedParameter, int64_t{-1}}};
  ExpectInvalid(*gan_, request, "parameter 'seed' must be an integer from 0");
  request.parameters = {{kTruncationParameter, 0.001}};
  ExpectInvalid(*gan_, request, "parameter 'truncation' must be 0 (off) or a finite number");

  request.parameters.clear();
  request.outputs = {"mask"};
  ExpectInvalid(*gan_, request, "unknown output 'mask'; this model's outputs are: image");
  request.outputs = {kPngOutput, kPngOutput};
  ExpectInvalid(*gan_, request, "output 'png' is requested twice");
}

// The generator run directly, as the batcher would, one EncodedImage per image.
std::vector<EncodedImage> RunImages(const LoadedGenerator& generator, const InferPlan& plan,
                                    std::vector<float>* graph_output = nullptr) {
  auto context = generator.NewContext();
  Tensor images;
  EXPECT_TRUE(generator.Run(*context, plan.work.latents, plan.work.labels, images).ok());
  if (graph_output != nullptr) {
    Tensor raw;
    EXPECT_TRUE(generator.RunGraph(*context, plan.work.latents, plan.work.labels, raw).ok());
    *graph_output = raw.data;
  }
  std::vector<EncodedImage> encoded;
  for (int64_t i = 0; i < plan.work.count; ++i) {
    auto data =
        EncodeImage(generator, images.data.data() + i * generator.image_size(), plan.encoding);
    EXPECT_TRUE(data.ok());
    EncodedImage image;
    image.index = i;
    image.data = *data;
    encoded.push_back(std::move(image));
  }
  return encoded;
}

// The generator's images for `request` collected into outputs, and the
// graph's own output for the same work.
std::vector<InferOutput> Outputs(const LoadedGenerator& generator, const InferRequest& request,
                                 std::vector<float>& graph_output) {
  absl::StatusOr<InferPlan> plan = PlanInference(generator, request, GenerationLimits{});
  EXPECT_TRUE(plan.ok()) << plan.status();
  if (!plan.ok()) return {};
  InferOutputs outputs(generator, *plan);
  for (const EncodedImage& image : RunImages(generator, *plan, &graph_output)) {
    EXPECT_TRUE(outputs.Add(image).ok());
  }
  return outputs.Take();
}

std::vector<float> Floats(const std::string& bytes) {
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

TEST_F(InferenceTensorsTest, OutputsHoldTheImagesTheirBytesAndTheirPngs) {
  InferRequest request;
  request.parameters = {{kSeedParameter, int64_t{9}}, {kCountParameter, int64_t{2}}};
  request.outputs = {kPngOutput, kImageOutput, kImageUint8Output};
  std::vector<float> graph_output;
  std::vector<InferOutput> tensors = Outputs(*gan_, request, graph_output);
  ASSERT_EQ(tensors.size(), 3u);

  EXPECT_EQ(tensors[0].name, kPngOutput);
  EXPECT_EQ(tensors[0].datatype, "BYTES");
  EXPECT_THAT(tensors[0].shape, ElementsAre(2));
  ASSERT_EQ(tensors[0].elements.size(), 2u);

  EXPECT_EQ(tensors[1].name, kImageOutput);
  EXPECT_EQ(tensors[1].datatype, "FP32");
  EXPECT_THAT(tensors[1].shape, ElementsAre(2, 4, 4, 3));
  EXPECT_EQ(Floats(tensors[1].data), graph_output);  // NHWC model: the graph's own values

  EXPECT_EQ(tensors[2].name, kImageUint8Output);
  EXPECT_EQ(tensors[2].datatype, "UINT8");
  EXPECT_THAT(tensors[2].shape, ElementsAre(2, 4, 4, 3));
  const std::vector<uint8_t> expected_u8 =
      ToUint8(graph_output, gan_->value_min(), gan_->value_max());
  EXPECT_EQ(tensors[2].data, std::string(expected_u8.begin(), expected_u8.end()));

  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<Image8> png = DecodePng(tensors[0].elements[i]);
    ASSERT_TRUE(png.ok());
    EXPECT_EQ(png->height, 4);
    EXPECT_EQ(png->width, 4);
    EXPECT_EQ(png->channels, 3);
    EXPECT_THAT(png->pixels,
                ElementsAreArray(expected_u8.begin() + 48 * i, expected_u8.begin() + 48 * (i + 1)));
  }
}

TEST_F(InferenceTensorsTest, AChannelsFirstModelsImageOutputIsInItsOwnLayout) {
  ModelOptions options;
  options.layout = SampleLayout::kChannelsFirst;  // the 4×4×3 output read as C=4, H=4, W=3
  std::unique_ptr<LoadedGenerator> nchw = MakeGenerator(UnconditionalModel(2), options);
  ASSERT_TRUE(nchw->channels_first());
  InferRequest request;
  request.inputs = {Latents({0.5f, -0.5f, 0.25f, 1.0f})};
  request.outputs = {kImageOutput};
  std::vector<float> graph_output;
  std::vector<InferOutput> tensors = Outputs(*nchw, request, graph_output);
  ASSERT_EQ(tensors.size(), 1u);
  EXPECT_THAT(tensors[0].shape, ElementsAre(1, 4, 4, 3));  // N, C, H, W
  EXPECT_EQ(Floats(tensors[0].data), graph_output);
}

TEST_F(InferenceTensorsTest, MetadataListsTheLabelOnlyForConditionalModels) {
  std::vector<InferTensorMetadata> inputs = DescribeInputs(*cgan_);
  ASSERT_EQ(inputs.size(), 2u);
  EXPECT_EQ(inputs[0].name, kLatentInput);
  EXPECT_EQ(inputs[0].datatype, "FP32");
  EXPECT_THAT(inputs[0].shape, ElementsAre(-1, kLatentSize));
  EXPECT_EQ(inputs[1].name, kLabelInput);
  EXPECT_EQ(inputs[1].datatype, "INT32");
  EXPECT_THAT(inputs[1].shape, ElementsAre(-1));
  EXPECT_EQ(DescribeInputs(*gan_).size(), 1u);
  EXPECT_THAT(DescribeOutputs(*cgan_)[1].shape, ElementsAre(-1, 4, 4, 1));
}

}  // namespace
}  // namespace ganserve::testing
