// Generate, ListModels and GetModel over a real gRPC channel, checked
// against the reference executor run directly on the same graph.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/latent_sampler.h"
#include "engine/png.h"
#include "engine/reference/reference_executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/test_server.h"

namespace ganserve::testing {
namespace {

using ::testing::ElementsAreArray;
using ::testing::FloatNear;
using ::testing::Pointwise;

// The graph run directly: latents N×4 and float labels N.
std::vector<float> Expected(const LoadedModel& model, std::vector<float> latents,
                            std::vector<float> labels) {
  ReferenceExecutor exec(model.graph);
  auto ctx = exec.NewContext();
  const int64_t n = static_cast<int64_t>(latents.size()) / kLatentSize;
  std::vector<Tensor> inputs{Tensor({n, kLatentSize}, std::move(latents))};
  if (!labels.empty()) inputs.push_back(Tensor({n, 1}, std::move(labels)));
  Tensor out;
  EXPECT_TRUE(exec.Run(*ctx, inputs, out).ok());
  return out.data;
}

std::vector<float> AsFloats(const std::string& bytes) {
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

class GenerateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartServer();
    ASSERT_NE(server_, nullptr);
    stub_ = Stub(server_->port());
  }
  grpc::Status Call(const v1::GenerateRequest& request, v1::GenerateResponse& response) {
    grpc::ClientContext context;
    return stub_->Generate(&context, request, &response);
  }
  std::unique_ptr<GanServer> server_;
  std::unique_ptr<v1::Generator::Stub> stub_;
};

TEST_F(GenerateTest, ExplicitLatentsGiveTheGraphsOwnValuesInRequestOrder) {
  const std::vector<float> latents = {0.1f, -0.2f, 0.3f, 0.9f, -1.0f, 0.5f,
                                      0.0f, 2.0f,  0.7f, 0.7f, -0.3f, 0.2f};
  v1::GenerateRequest request;
  request.set_model("cgan");
  request.mutable_latents()->mutable_values()->Add(latents.begin(), latents.end());
  request.add_labels(3);
  request.add_labels(0);
  request.add_labels(9);
  request.set_format(v1::IMAGE_FORMAT_RAW_FLOAT32);
  v1::GenerateResponse response;
  ASSERT_TRUE(Call(request, response).ok());
  ASSERT_EQ(response.images_size(), 3);
  EXPECT_EQ(response.model(), "cgan");
  EXPECT_EQ(response.model_version(), "1");
  const std::vector<float> expected = Expected(ConditionalModel(1), latents, {3, 0, 9});
  for (int i = 0; i < 3; ++i) {
    const v1::GeneratedImage& image = response.images(i);
    EXPECT_EQ(image.index(), static_cast<uint32_t>(i));
    EXPECT_EQ(image.height(), 4u);
    EXPECT_EQ(image.width(), 4u);
    EXPECT_EQ(image.channels(), 1u);
    EXPECT_EQ(image.label(), std::vector<int>({3, 0, 9})[i]);
    EXPECT_THAT(AsFloats(image.data()),
                Pointwise(FloatNear(1e-6f), std::vector<float>(expected.begin() + 16 * i,
                                                               expected.begin() + 16 * (i + 1))));
  }
}

TEST_F(GenerateTest, OneLabelAppliesToAllImagesAndNamesResolveFromModelJson) {
  ModelOptions options;
  for (int i = 0; i < kClasses; ++i) options.labels.push_back("class" + std::to_string(i));
  ASSERT_TRUE(
      server_->registry().AddGenerator("named", MakeGenerator(ConditionalModel(1), options)).ok());
  v1::GenerateRequest by_number;
  by_number.set_model("cgan");
  by_number.mutable_sampling()->set_seed(7);
  by_number.mutable_sampling()->set_count(2);
  by_number.add_labels(4);
  v1::GenerateRequest by_name = by_number;
  by_name.set_model("named");
  by_name.clear_labels();
  by_name.add_label_names("class4");
  v1::GenerateResponse a, b;
  ASSERT_TRUE(Call(by_number, a).ok());
  ASSERT_TRUE(Call(by_name, b).ok());
  ASSERT_EQ(a.images_size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(a.images(i).label(), 4);
    EXPECT_EQ(a.images(i).data(), b.images(i).data());
  }
}

TEST_F(GenerateTest, SeedGivesByteIdenticalPngsAndTheDocumentedLatents) {
  v1::GenerateRequest request;
  request.set_model("gan");
  request.mutable_sampling()->set_seed(1234);
  request.mutable_sampling()->set_count(3);
  request.set_return_latents(true);
  v1::GenerateResponse first, second;
  ASSERT_TRUE(Call(request, first).ok());
  ASSERT_TRUE(Call(request, second).ok());
  ASSERT_EQ(first.images_size(), 3);
  std::vector<float> all_latents;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(first.images(i).data(), second.images(i).data());
    EXPECT_EQ(first.images(i).format(), v1::IMAGE_FORMAT_PNG);
    EXPECT_EQ(first.images(i).label(), -1);
    std::vector<float> latent(kLatentSize);
    SampleLatent({1234, Distribution::kNormal, 0.0f}, i, absl::MakeSpan(latent));
    EXPECT_THAT(first.images(i).latent(), ElementsAreArray(latent));
    all_latents.insert(all_latents.end(), latent.begin(), latent.end());
  }
  // The PNG holds the graph's output mapped from the sigmoid range [0, 1].
  const std::vector<float> expected = Expected(UnconditionalModel(2), all_latents, {});
  for (int i = 0; i < 3; ++i) {
    auto decoded = DecodePng(first.images(i).data());
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->channels, 3);
    for (int64_t p = 0; p < 48; ++p) {
      EXPECT_NEAR(decoded->pixels[p], expected[48 * i + p] * 255.0f, 0.51f) << p;
    }
  }
}

TEST_F(GenerateTest, TruncationBoundsEveryReturnedNormalLatent) {
  for (float t : {kMinTruncation, 0.5f}) {
    v1::GenerateRequest request;
    request.set_model("gan");
    request.mutable_sampling()->set_seed(5);
    request.mutable_sampling()->set_count(64);
    request.mutable_sampling()->set_distribution(v1::LATENT_DISTRIBUTION_NORMAL);
    request.mutable_sampling()->set_truncation(t);
    request.set_return_latents(true);
    v1::GenerateResponse response;
    ASSERT_TRUE(Call(request, response).ok()) << t;
    ASSERT_EQ(response.images_size(), 64);
    float largest = 0.0f;
    for (int i = 0; i < 64; ++i) {
      const auto& latent = response.images(i).latent();
      ASSERT_EQ(latent.size(), kLatentSize);
      for (float v : latent) {
        EXPECT_LE(std::fabs(v), t) << "image " << i;
        largest = std::max(largest, std::fabs(v));
      }
      std::vector<float> expected(kLatentSize);
      SampleLatent({5, Distribution::kNormal, t}, i, absl::MakeSpan(expected));
      EXPECT_THAT(latent, ElementsAreArray(expected));
    }
    EXPECT_GT(largest, 0.8f * t) << "values should fill [-t, t], not collapse to 0";
  }
}

TEST_F(GenerateTest, RawUint8MapsTanhRangeToBytes) {
  const std::vector<float> latent = {0.5f, -0.5f, 1.5f, 0.25f};
  v1::GenerateRequest request;
  request.mutable_latents()->mutable_values()->Add(latent.begin(), latent.end());
  request.add_labels(2);
  request.set_format(v1::IMAGE_FORMAT_RAW_UINT8);
  v1::GenerateResponse response;
  ASSERT_TRUE(Call(request, response).ok());
  EXPECT_EQ(response.model(), "cgan");  // the default model
  const std::vector<float> expected = Expected(ConditionalModel(1), latent, {2});
  const std::string& bytes = response.images(0).data();
  ASSERT_EQ(bytes.size(), 16u);
  for (int p = 0; p < 16; ++p) {
    EXPECT_NEAR(static_cast<uint8_t>(bytes[p]), (expected[p] + 1.0f) * 127.5f, 0.51f);
  }
}

TEST_F(GenerateTest, ListAndGetModelDescribeTheGraph) {
  grpc::ClientContext list_context;
  v1::ListModelsResponse list;
  ASSERT_TRUE(stub_->ListModels(&list_context, {}, &list).ok());
  ASSERT_EQ(list.models_size(), 2);
  EXPECT_EQ(list.models(0).name(), "cgan");
  EXPECT_TRUE(list.models(0).is_default());
  EXPECT_FALSE(list.models(1).is_default());

  v1::GenerateRequest request;
  request.mutable_sampling()->set_count(5);
  request.add_labels(1);
  v1::GenerateResponse response;
  ASSERT_TRUE(Call(request, response).ok());

  grpc::ClientContext context;
  v1::GetModelRequest get;
  get.set_name("cgan");
  v1::ModelInfo info;
  ASSERT_TRUE(stub_->GetModel(&context, get, &info).ok());
  const LoadedModel model = ConditionalModel(1);
  EXPECT_EQ(info.version(), "1");
  EXPECT_EQ(info.source_format(), "test");
  EXPECT_EQ(info.latent_size(), 4u);
  EXPECT_EQ(info.label_count(), 10u);
  EXPECT_EQ(info.output_height(), 4u);
  EXPECT_EQ(info.output_width(), 4u);
  EXPECT_EQ(info.output_channels(), 1u);
  EXPECT_EQ(info.value_min(), -1.0f);
  EXPECT_EQ(info.value_max(), 1.0f);
  EXPECT_EQ(info.range_source(), "activation");
  EXPECT_EQ(info.shape_source(), "model");
  // Embedding 30 + Dense 7*12+12 + Conv2DTranspose 2*2*3+1.
  EXPECT_EQ(info.parameter_count(), 30u + 96u + 13u);
  EXPECT_EQ(info.summary(), model.graph->Summary("cgan", true));
  EXPECT_EQ(info.default_distribution(), v1::LATENT_DISTRIBUTION_NORMAL);
  EXPECT_EQ(info.images_generated(), 5u);  // the warm-up run is not counted
  EXPECT_GE(info.batches_run(), 1u);
  EXPECT_EQ(info.precision(), "f32");  // --precision's default
}

}  // namespace
}  // namespace ganserve::testing
