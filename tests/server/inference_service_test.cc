// inference.GRPCInferenceService on a live in-process ganserve: every RPC,
// raw and typed contents, requested outputs, errors per the protocol, auth
// and drain. The independent expectation for ModelInfer's images is the
// native Generate API answering the same latents and labels.
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "engine/png.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inference/grpc_service.grpc.pb.h"
#include "tests/server/test_server.h"

namespace ganserve::testing {
namespace {

using inference::GRPCInferenceService;
using inference::ModelInferRequest;
using inference::ModelInferResponse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr float kLatents[] = {0.1f, -0.2f, 0.3f, 0.9f, -1.0f, 0.5f, 0.0f, 2.0f};
constexpr int kCount = 2;

std::string RawBytes(const void* data, size_t size) {
  return std::string(static_cast<const char*>(data), size);
}

// Latents (FP32 [2, 4]) and labels (INT64 [2]) as raw_input_contents.
ModelInferRequest RawRequest(const std::string& model) {
  ModelInferRequest request;
  request.set_model_name(model);
  auto* latent = request.add_inputs();
  latent->set_name("latent");
  latent->set_datatype("FP32");
  latent->add_shape(kCount);
  latent->add_shape(kLatentSize);
  request.add_raw_input_contents(RawBytes(kLatents, sizeof(kLatents)));
  if (model == "cgan") {
    auto* label = request.add_inputs();
    label->set_name("label");
    label->set_datatype("INT64");
    label->add_shape(kCount);
    const int64_t labels[] = {3, 9};
    request.add_raw_input_contents(RawBytes(labels, sizeof(labels)));
  }
  return request;
}

// The same as typed contents (INT32 labels).
ModelInferRequest TypedRequest() {
  ModelInferRequest request;
  request.set_model_name("cgan");
  auto* latent = request.add_inputs();
  latent->set_name("latent");
  latent->set_datatype("FP32");
  latent->add_shape(kCount);
  latent->add_shape(kLatentSize);
  latent->mutable_contents()->mutable_fp32_contents()->Add(std::begin(kLatents),
                                                           std::end(kLatents));
  auto* label = request.add_inputs();
  label->set_name("label");
  label->set_datatype("INT32");
  label->add_shape(kCount);
  label->mutable_contents()->add_int_contents(3);
  label->mutable_contents()->add_int_contents(9);
  return request;
}

// BYTES raw content: 4-byte little-endian length, then the bytes, per element.
std::vector<std::string> SplitBytes(const std::string& raw) {
  std::vector<std::string> elements;
  size_t at = 0;
  while (at + 4 <= raw.size()) {
    uint32_t length = 0;
    for (int b = 0; b < 4; ++b)
      length |= uint32_t{static_cast<unsigned char>(raw[at + b])} << (8 * b);
    elements.push_back(raw.substr(at + 4, length));
    at += 4 + length;
  }
  EXPECT_EQ(at, raw.size());
  return elements;
}

class InferenceServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(LoopbackOptions()); }
  void Start(ServerOptions options) {
    server_ = StartServer(std::move(options));
    ASSERT_NE(server_, nullptr);
    stub_ = GRPCInferenceService::NewStub(Connect(server_->port()));
  }
  grpc::Status Infer(const ModelInferRequest& request, ModelInferResponse& response,
                     const std::string& token = "") {
    grpc::ClientContext context;
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    return stub_->ModelInfer(&context, request, &response);
  }
  // The native API's images for the same latents and labels.
  v1::GenerateResponse Generate(v1::ImageFormat format, const std::string& model = "cgan") {
    v1::GenerateRequest request;
    request.set_model(model);
    request.mutable_latents()->mutable_values()->Add(std::begin(kLatents), std::end(kLatents));
    if (model == "cgan") {
      request.add_labels(3);
      request.add_labels(9);
    }
    request.set_format(format);
    v1::GenerateResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(Stub(server_->port())->Generate(&context, request, &response).ok());
    EXPECT_EQ(response.images_size(), kCount);
    return response;
  }
  void ExpectInvalid(const ModelInferRequest& request, const std::string& message_part) {
    ModelInferResponse response;
    grpc::Status status = Infer(request, response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(message_part));
  }

  std::unique_ptr<GanServer> server_;
  std::unique_ptr<GRPCInferenceService::Stub> stub_;
};

TEST_F(InferenceServiceTest, HealthAndServerMetadata) {
  grpc::ClientContext live_context;
  inference::ServerLiveResponse live;
  ASSERT_TRUE(stub_->ServerLive(&live_context, {}, &live).ok());
  EXPECT_TRUE(live.live());
  grpc::ClientContext ready_context;
  inference::ServerReadyResponse ready;
  ASSERT_TRUE(stub_->ServerReady(&ready_context, {}, &ready).ok());
  EXPECT_TRUE(ready.ready());
  grpc::ClientContext metadata_context;
  inference::ServerMetadataResponse metadata;
  ASSERT_TRUE(stub_->ServerMetadata(&metadata_context, {}, &metadata).ok());
  EXPECT_EQ(metadata.name(), "ganserve");
  EXPECT_FALSE(metadata.version().empty());

  const auto model_ready = [&](const std::string& name, const std::string& version) {
    grpc::ClientContext context;
    inference::ModelReadyRequest request;
    request.set_name(name);
    request.set_version(version);
    inference::ModelReadyResponse response;
    EXPECT_TRUE(stub_->ModelReady(&context, request, &response).ok());
    return response.ready();
  };
  EXPECT_TRUE(model_ready("cgan", ""));
  EXPECT_TRUE(model_ready("gan", "1"));
  EXPECT_FALSE(model_ready("gan", "7"));
  EXPECT_FALSE(model_ready("nope", ""));
}

TEST_F(InferenceServiceTest, ModelMetadataDescribesInputsAndOutputs) {
  grpc::ClientContext context;
  inference::ModelMetadataRequest request;
  request.set_name("cgan");
  inference::ModelMetadataResponse metadata;
  ASSERT_TRUE(stub_->ModelMetadata(&context, request, &metadata).ok());
  EXPECT_EQ(metadata.name(), "cgan");
  EXPECT_THAT(metadata.versions(), ElementsAre("1"));
  ASSERT_EQ(metadata.inputs_size(), 2);
  EXPECT_EQ(metadata.inputs(0).name(), "latent");
  EXPECT_EQ(metadata.inputs(0).datatype(), "FP32");
  EXPECT_THAT(metadata.inputs(0).shape(), ElementsAre(-1, kLatentSize));
  EXPECT_EQ(metadata.inputs(1).name(), "label");
  EXPECT_EQ(metadata.inputs(1).datatype(), "INT32");
  EXPECT_THAT(metadata.inputs(1).shape(), ElementsAre(-1));
  ASSERT_EQ(metadata.outputs_size(), 3);
  EXPECT_EQ(metadata.outputs(0).name(), "image");
  EXPECT_EQ(metadata.outputs(0).datatype(), "FP32");
  EXPECT_THAT(metadata.outputs(0).shape(), ElementsAre(-1, 4, 4, 1));
  EXPECT_EQ(metadata.outputs(1).name(), "image_uint8");
  EXPECT_EQ(metadata.outputs(1).datatype(), "UINT8");
  EXPECT_THAT(metadata.outputs(1).shape(), ElementsAre(-1, 4, 4, 1));
  EXPECT_EQ(metadata.outputs(2).name(), "png");
  EXPECT_EQ(metadata.outputs(2).datatype(), "BYTES");
  EXPECT_THAT(metadata.outputs(2).shape(), ElementsAre(-1));

  grpc::ClientContext unknown_context;
  request.set_name("nope");
  grpc::Status unknown = stub_->ModelMetadata(&unknown_context, request, &metadata);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext version_context;
  request.set_name("gan");
  request.set_version("7");
  grpc::Status version = stub_->ModelMetadata(&version_context, request, &metadata);
  EXPECT_EQ(version.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(version.error_message(), HasSubstr("serves version '1'"));
}

TEST_F(InferenceServiceTest, RawInputsGiveRawOutputsEqualToGenerate) {
  ModelInferRequest request = RawRequest("cgan");
  request.set_id("call-17");
  ModelInferResponse response;
  grpc::Status status = Infer(request, response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.model_name(), "cgan");
  EXPECT_EQ(response.model_version(), "1");
  EXPECT_EQ(response.id(), "call-17");
  ASSERT_EQ(response.outputs_size(), 3);
  ASSERT_EQ(response.raw_output_contents_size(), 3);
  for (const auto& output : response.outputs()) EXPECT_FALSE(output.has_contents());

  const v1::GenerateResponse floats = Generate(v1::IMAGE_FORMAT_RAW_FLOAT32);
  const v1::GenerateResponse bytes = Generate(v1::IMAGE_FORMAT_RAW_UINT8);
  const v1::GenerateResponse pngs = Generate(v1::IMAGE_FORMAT_PNG);
  EXPECT_EQ(response.outputs(0).name(), "image");
  EXPECT_THAT(response.outputs(0).shape(), ElementsAre(kCount, 4, 4, 1));
  EXPECT_EQ(response.raw_output_contents(0), floats.images(0).data() + floats.images(1).data());
  EXPECT_EQ(response.outputs(1).name(), "image_uint8");
  EXPECT_EQ(response.raw_output_contents(1), bytes.images(0).data() + bytes.images(1).data());
  EXPECT_EQ(response.outputs(2).name(), "png");
  EXPECT_THAT(response.outputs(2).shape(), ElementsAre(kCount));
  EXPECT_THAT(SplitBytes(response.raw_output_contents(2)),
              ElementsAre(pngs.images(0).data(), pngs.images(1).data()));
}

TEST_F(InferenceServiceTest, TypedInputsGiveTypedOutputsEqualToGenerate) {
  ModelInferResponse response;
  grpc::Status status = Infer(TypedRequest(), response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.raw_output_contents_size(), 0);
  ASSERT_EQ(response.outputs_size(), 3);
  const v1::GenerateResponse floats = Generate(v1::IMAGE_FORMAT_RAW_FLOAT32);
  const v1::GenerateResponse bytes = Generate(v1::IMAGE_FORMAT_RAW_UINT8);
  const v1::GenerateResponse pngs = Generate(v1::IMAGE_FORMAT_PNG);
  const auto& fp32 = response.outputs(0).contents().fp32_contents();
  EXPECT_EQ(RawBytes(fp32.data(), fp32.size() * sizeof(float)),
            floats.images(0).data() + floats.images(1).data());
  std::string u8;
  for (uint32_t v : response.outputs(1).contents().uint_contents()) u8.push_back(char(v));
  EXPECT_EQ(u8, bytes.images(0).data() + bytes.images(1).data());
  EXPECT_THAT(response.outputs(2).contents().bytes_contents(),
              ElementsAre(pngs.images(0).data(), pngs.images(1).data()));
}

// Seed 77, count 3, truncation 0.7, label 5, the PNG output.
ModelInferRequest SeededPngRequest() {
  ModelInferRequest request;
  request.set_model_name("cgan");
  (*request.mutable_parameters())["seed"].set_int64_param(77);
  (*request.mutable_parameters())["count"].set_int64_param(3);
  (*request.mutable_parameters())["truncation"].set_double_param(0.7);
  auto* label = request.add_inputs();
  label->set_name("label");
  label->set_datatype("INT32");
  label->add_shape(1);
  const int32_t five = 5;
  request.add_raw_input_contents(RawBytes(&five, sizeof(five)));
  request.add_outputs()->set_name("png");
  return request;
}

// The same images asked for through the native API.
v1::GenerateResponse NativeSeededPng(int port) {
  v1::GenerateRequest native;
  native.set_model("cgan");
  native.mutable_sampling()->set_seed(77);
  native.mutable_sampling()->set_count(3);
  native.mutable_sampling()->set_truncation(0.7f);
  native.add_labels(5);
  v1::GenerateResponse expected;
  grpc::ClientContext context;
  EXPECT_TRUE(Stub(port)->Generate(&context, native, &expected).ok());
  return expected;
}

TEST_F(InferenceServiceTest, SeedParametersDrawTheSameImagesAsSampling) {
  ModelInferResponse response;
  grpc::Status status = Infer(SeededPngRequest(), response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.outputs_size(), 1);
  const v1::GenerateResponse expected = NativeSeededPng(server_->port());
  std::vector<std::string> pngs = SplitBytes(response.raw_output_contents(0));
  ASSERT_EQ(pngs.size(), 3u);
  ASSERT_EQ(expected.images_size(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(pngs[i], expected.images(i).data());
}

TEST_F(InferenceServiceTest, SeededInferUsesTheResponseCacheTheNativeApiFills) {
  ServerOptions options = LoopbackOptions();
  options.cache_bytes = 1 << 20;
  Start(options);
  const v1::GenerateResponse native = NativeSeededPng(server_->port());
  ASSERT_EQ(native.images_size(), 3);
  const auto counted = [&](const char* series, int images) {
    return server_->metrics().Render().find(
               absl::StrCat("\n", series, "{model=\"cgan\"} ", images, "\n")) != std::string::npos;
  };
  EXPECT_TRUE(counted("ganserve_cache_misses_total", 3)) << server_->metrics().Render();
  for (int round = 1; round <= 2; ++round) {
    ModelInferResponse response;
    grpc::Status status = Infer(SeededPngRequest(), response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(counted("ganserve_cache_hits_total", 3 * round)) << server_->metrics().Render();
    std::vector<std::string> pngs = SplitBytes(response.raw_output_contents(0));
    ASSERT_EQ(pngs.size(), 3u);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(pngs[i], native.images(i).data()) << round;
  }
  EXPECT_TRUE(counted("ganserve_cache_misses_total", 3)) << "a hit must not also count a miss";
  ModelInferResponse given_latents;
  ASSERT_TRUE(Infer(RawRequest("cgan"), given_latents).ok());
  EXPECT_TRUE(counted("ganserve_cache_misses_total", 3)) << "given latents bypass the cache";
}

TEST_F(InferenceServiceTest, OnlyRequestedOutputsInTheRequestedOrder) {
  ModelInferRequest request = RawRequest("gan");
  request.add_outputs()->set_name("png");
  request.add_outputs()->set_name("image_uint8");
  ModelInferResponse response;
  ASSERT_TRUE(Infer(request, response).ok());
  ASSERT_EQ(response.outputs_size(), 2);
  EXPECT_EQ(response.outputs(0).name(), "png");
  EXPECT_EQ(response.outputs(1).name(), "image_uint8");
  EXPECT_THAT(response.outputs(1).shape(), ElementsAre(kCount, 4, 4, 3));
  const v1::GenerateResponse bytes = Generate(v1::IMAGE_FORMAT_RAW_UINT8, "gan");
  EXPECT_EQ(response.raw_output_contents(1), bytes.images(0).data() + bytes.images(1).data());
  for (const std::string& png : SplitBytes(response.raw_output_contents(0))) {
    absl::StatusOr<Image8> image = DecodePng(png);
    ASSERT_TRUE(image.ok());
    EXPECT_EQ(image->channels, 3);
  }
}

TEST_F(InferenceServiceTest, ClientErrorsAreInvalidArgumentNamingTheTensor) {
  ModelInferRequest request = RawRequest("cgan");
  request.mutable_inputs(0)->set_datatype("FP64");
  ExpectInvalid(request, "input 'latent' must have datatype FP32, got FP64");

  request = RawRequest("cgan");
  request.mutable_inputs(0)->set_shape(1, 3);
  ExpectInvalid(request, "input 'latent' must have shape [-1, 4]");

  request = RawRequest("cgan");
  request.set_raw_input_contents(0, request.raw_input_contents(0).substr(0, 12));
  ExpectInvalid(request, "input 'latent' has shape [2, 4] (8 elements) but 3 elements");

  request = RawRequest("cgan");
  request.set_raw_input_contents(0, request.raw_input_contents(0).substr(0, 13));
  ExpectInvalid(request, "raw_input_contents of input 'latent' has 13 bytes");

  request = RawRequest("cgan");
  request.mutable_inputs()->RemoveLast();
  request.mutable_raw_input_contents()->RemoveLast();
  ExpectInvalid(request, "missing input 'label'");

  request = RawRequest("cgan");
  request.add_outputs()->set_name("mask");
  ExpectInvalid(request, "unknown output 'mask'");

  request = RawRequest("cgan");
  request.mutable_inputs(0)->mutable_contents()->add_fp32_contents(1.0f);
  ExpectInvalid(request, "input 'latent' has contents while the request uses raw_input_contents");

  request = RawRequest("cgan");
  request.mutable_raw_input_contents()->RemoveLast();
  ExpectInvalid(request, "raw_input_contents has 1 entries for 2 inputs");

  request = TypedRequest();
  request.mutable_inputs(1)->mutable_contents()->clear_int_contents();
  request.mutable_inputs(1)->mutable_contents()->add_int64_contents(3);
  request.mutable_inputs(1)->mutable_contents()->add_int64_contents(9);
  ExpectInvalid(request,
                "input 'label' of datatype INT32 must carry its elements in "
                "contents.int_contents");

  request = RawRequest("cgan");
  request.mutable_inputs(1)->set_datatype("COMPLEX");
  ExpectInvalid(request, "input 'label' has unknown datatype 'COMPLEX'");

  const std::string garbage("\xff\xff\xff\xff\x0f", 5);
  grpc::Status unparsed =
      CallRaw(server_->port(), "/inference.GRPCInferenceService/ModelInfer", garbage);
  EXPECT_EQ(unparsed.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(unparsed.error_message(), HasSubstr("inference.ModelInferRequest"));

  request = RawRequest("nope");
  ModelInferResponse response;
  EXPECT_EQ(Infer(request, response).error_code(), grpc::StatusCode::NOT_FOUND);
  request = RawRequest("cgan");
  request.set_model_version("9");
  EXPECT_EQ(Infer(request, response).error_code(), grpc::StatusCode::NOT_FOUND);

  ASSERT_TRUE(Infer(RawRequest("cgan"), response).ok());  // still serving
}

TEST(InferenceServiceAuth, TheBearerTokenAppliesToEveryRpc) {
  ServerOptions options = LoopbackOptions();
  options.service.auth_token = "s3cret";
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  auto stub = GRPCInferenceService::NewStub(Connect(server->port()));
  const auto infer = [&](const std::string& header) {
    grpc::ClientContext context;
    if (!header.empty()) context.AddMetadata("authorization", header);
    ModelInferResponse response;
    return stub->ModelInfer(&context, RawRequest("gan"), &response);
  };
  EXPECT_EQ(infer("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(infer("Bearer wrong").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(infer("Bearer s3cret").ok());
  // Health is open, as grpc.health.v1 and HTTP health are; model readiness
  // is not, since it tells which models are served.
  grpc::ClientContext live_context;
  inference::ServerLiveResponse live;
  EXPECT_TRUE(stub->ServerLive(&live_context, {}, &live).ok());
  EXPECT_TRUE(live.live());
  grpc::ClientContext ready_context;
  inference::ServerReadyResponse ready;
  EXPECT_TRUE(stub->ServerReady(&ready_context, {}, &ready).ok());
  EXPECT_TRUE(ready.ready());
  grpc::ClientContext model_context;
  inference::ModelReadyRequest model_request;
  model_request.set_name("gan");
  inference::ModelReadyResponse model_ready;
  EXPECT_EQ(stub->ModelReady(&model_context, model_request, &model_ready).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST(InferenceServiceDrain, InFlightInferFinishesNewCallsAreUnavailable) {
  auto server = StartServer(LingeringBatchOptions());
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  grpc::Status in_flight;
  std::thread call([&] {
    grpc::ClientContext context;
    ModelInferResponse response;
    in_flight = GRPCInferenceService::NewStub(Connect(port))
                    ->ModelInfer(&context, RawRequest("gan"), &response);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // queued, not done
  std::thread drainer([&] { EXPECT_TRUE(server->Drain(std::chrono::seconds(10))); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  grpc::ClientContext late_context;
  ModelInferResponse late;
  grpc::Status refused = GRPCInferenceService::NewStub(Connect(port))
                             ->ModelInfer(&late_context, RawRequest("gan"), &late);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  // A draining server is alive but no longer ready: an answer, not a refusal.
  auto stub = GRPCInferenceService::NewStub(Connect(port));
  grpc::ClientContext live_context;
  inference::ServerLiveResponse live;
  const grpc::Status live_status = stub->ServerLive(&live_context, {}, &live);
  EXPECT_TRUE(live_status.ok()) << live_status.error_message();
  EXPECT_TRUE(live.live());
  grpc::ClientContext ready_context;
  inference::ServerReadyResponse ready;
  ready.set_ready(true);
  const grpc::Status ready_status = stub->ServerReady(&ready_context, {}, &ready);
  EXPECT_TRUE(ready_status.ok()) << ready_status.error_message();
  EXPECT_FALSE(ready.ready());
  call.join();
  drainer.join();
  EXPECT_TRUE(in_flight.ok()) << in_flight.error_message();
}

}  // namespace
}  // namespace ganserve::testing
