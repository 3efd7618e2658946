// PlanInference, the protocol-neutral Open Inference Protocol request
// check: requests checked against the native API's own preparation of the
// same work, and every refusal naming its tensor or parameter.
#include "server/inference_plan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/inference_outputs.h"
#include "tests/testing/test_models.h"

namespace ganserve::testing {
namespace {

using ::testing::ElementsAre;
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

class InferencePlanTest : public ::testing::Test {
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

TEST_F(InferencePlanTest, LatentAndLabelInputsBecomeTheSameWorkAsTheNativeRequest) {
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

TEST_F(InferencePlanTest, SeedCountAndTruncationDrawTheNativeSamplersLatents) {
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

TEST_F(InferencePlanTest, NoOutputsRequestedMeansEveryOutputInMetadataOrder) {
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

TEST_F(InferencePlanTest, APngOnlyRequestLetsTheRunEncodePng) {
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

TEST_F(InferencePlanTest, BadRequestsNameTheTensorOrParameter) {
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

}  // namespace
}  // namespace ganserve::testing
