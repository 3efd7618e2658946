// InferOutputs and the tensor metadata: a run's images as Open Inference
// Protocol output tensors, checked against the generator run directly and
// the PNG decoder.
#include "server/inference_outputs.h"

#include <cstring>

#include "engine/png.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/inference_plan.h"
#include "tests/testing/test_models.h"

namespace ganserve::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

class InferenceOutputsTest : public ::testing::Test {
 protected:
  std::unique_ptr<LoadedGenerator> cgan_ = MakeGenerator(ConditionalModel(1));
  std::unique_ptr<LoadedGenerator> gan_ = MakeGenerator(UnconditionalModel(2));
};

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

TEST_F(InferenceOutputsTest, OutputsHoldTheImagesTheirBytesAndTheirPngs) {
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

TEST_F(InferenceOutputsTest, AChannelsFirstModelsImageOutputIsInItsOwnLayout) {
  ModelOptions options;
  options.layout = SampleLayout::kChannelsFirst;  // the 4×4×3 output read as C=4, H=4, W=3
  std::unique_ptr<LoadedGenerator> nchw = MakeGenerator(UnconditionalModel(2), options);
  ASSERT_TRUE(nchw->channels_first());
  InferRequest request;
  request.parameters = {{kSeedParameter, int64_t{5}}, {kCountParameter, int64_t{1}}};
  request.outputs = {kImageOutput};
  std::vector<float> graph_output;
  std::vector<InferOutput> tensors = Outputs(*nchw, request, graph_output);
  ASSERT_EQ(tensors.size(), 1u);
  EXPECT_THAT(tensors[0].shape, ElementsAre(1, 4, 4, 3));  // N, C, H, W
  EXPECT_EQ(Floats(tensors[0].data), graph_output);
}

TEST_F(InferenceOutputsTest, MetadataListsTheLabelOnlyForConditionalModels) {
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
