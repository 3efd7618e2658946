// The Open Inference Protocol's REST form against the native API: metadata
// paths, infer answers equal to Generate for the same seed or latents, and
// the protocol's JSON errors naming the tensor at fault.
#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/server/http_client.h"
#include "tests/server/test_server.h"

namespace ganserve::testing {
namespace {

using Json = nlohmann::json;

std::unique_ptr<GanServer> ServerWithHttp() {
  ServerOptions options = LoopbackOptions();
  options.http_port = 0;
  return StartServer(options);
}

v1::GenerateResponse Native(int port, const v1::GenerateRequest& request) {
  grpc::ClientContext context;
  v1::GenerateResponse response;
  EXPECT_TRUE(Stub(port)->Generate(&context, request, &response).ok());
  return response;
}

TEST(HttpInfer, MetadataPathsDescribeServerAndModel) {
  auto server = ServerWithHttp();
  ASSERT_NE(server, nullptr);
  const Json about = Json::parse(HttpGet(server->http_port(), "/v2").body);
  EXPECT_EQ(about["name"], "ganserve");
  const HttpAnswer model = HttpGet(server->http_port(), "/v2/models/cgan");
  ASSERT_EQ(model.status, 200) << model.body;
  const Json metadata = Json::parse(model.body);
  EXPECT_EQ(metadata["name"], "cgan");
  EXPECT_EQ(metadata["versions"], Json::array({"1"}));
  EXPECT_EQ(metadata["inputs"][0]["name"], "latent");
  EXPECT_EQ(metadata["inputs"][0]["shape"], Json::array({-1, 4}));
  EXPECT_EQ(HttpGet(server->http_port(), "/v2/models/cgan/versions/1").status, 200);
  EXPECT_EQ(HttpGet(server->http_port(), "/v2/models/cgan/versions/2").status, 404);
  EXPECT_EQ(HttpGet(server->http_port(), "/v2/models/nope").status, 404);
}

TEST(HttpInfer, SeededPngsAreNativeGeneratesBytes) {
  auto server = ServerWithHttp();
  ASSERT_NE(server, nullptr);
  const std::string body = R"({"id": "r1", "parameters": {"seed": 21, "count": 3},
    "inputs": [{"name": "label", "datatype": "INT32", "shape": [1], "data": [6]}],
    "outputs": [{"name": "png"}]})";
  const HttpAnswer answer = HttpPost(server->http_port(), "/v2/models/cgan/infer", body);
  ASSERT_EQ(answer.status, 200) << answer.body;
  const Json json = Json::parse(answer.body);
  EXPECT_EQ(json["id"], "r1");
  EXPECT_EQ(json["model_name"], "cgan");
  ASSERT_EQ(json["outputs"].size(), 1u);
  const Json& png = json["outputs"][0];
  EXPECT_EQ(png["name"], "png");
  EXPECT_EQ(png["datatype"], "BYTES");
  EXPECT_EQ(png["shape"], Json::array({3}));
  v1::GenerateRequest request;
  request.set_model("cgan");
  request.mutable_sampling()->set_seed(21);
  request.mutable_sampling()->set_count(3);
  request.add_labels(6);
  const v1::GenerateResponse native = Native(server->port(), request);
  ASSERT_EQ(native.images_size(), 3);
  for (int i = 0; i < 3; ++i) {
    std::string decoded;
    ASSERT_TRUE(absl::Base64Unescape(png["data"][i].get<std::string>(), &decoded));
    EXPECT_EQ(decoded, native.images(i).data()) << i;
  }
}

TEST(HttpInfer, NestedLatentsGiveTheNativeFloatImage) {
  auto server = ServerWithHttp();
  ASSERT_NE(server, nullptr);
  const std::string body = R"({"inputs": [
    {"name": "latent", "datatype": "FP32", "shape": [1, 4], "data": [[0.5, -1, 0.25, 2]]}],
    "outputs": [{"name": "image"}]})";
  const HttpAnswer answer = HttpPost(server->http_port(), "/v2/models/gan/infer", body);
  ASSERT_EQ(answer.status, 200) << answer.body;
  const Json image = Json::parse(answer.body)["outputs"][0];
  v1::GenerateRequest request;
  request.set_model("gan");
  for (float v : {0.5f, -1.0f, 0.25f, 2.0f}) request.mutable_latents()->add_values(v);
  request.set_format(v1::IMAGE_FORMAT_RAW_FLOAT32);
  const v1::GenerateResponse native = Native(server->port(), request);
  ASSERT_EQ(native.images_size(), 1);
  const std::string& raw = native.images(0).data();
  ASSERT_EQ(image["data"].size() * sizeof(float), raw.size());
  for (size_t i = 0; i < image["data"].size(); ++i) {
    float expected;
    std::memcpy(&expected, raw.data() + i * sizeof(float), sizeof(float));
    EXPECT_EQ(image["data"][i].get<float>(), expected) << i;
  }
}

TEST(HttpInfer, MistakesGetJsonErrorsNamingTheTensor) {
  auto server = ServerWithHttp();
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();
  auto expect = [&](const std::string& body, int status, const std::string& says) {
    const HttpAnswer answer = HttpPost(port, "/v2/models/cgan/infer", body);
    EXPECT_EQ(answer.status, status) << body << " → " << answer.body;
    EXPECT_NE(answer.body.find(says), std::string::npos) << body << " → " << answer.body;
    EXPECT_TRUE(Json::parse(answer.body, nullptr, false).contains("error")) << answer.body;
  };
  expect("{not json", 400, "not valid JSON");
  expect("[]", 400, "JSON object");
  expect(R"({"inputs": 3})", 400, "inputs must be an array");
  expect(R"({"inputs": [{"name": "latent", "datatype": "FP32", "shape": [1, 4], "data": ["a"]}]})",
         400, "latent");
  expect(R"({"inputs": [{"name": "latent", "datatype": "FP32", "shape": [1, 4], "data": [1, 2]}]})",
         400, "latent");
  expect(R"({"inputs": [{"name": "label", "datatype": "INT32", "shape": [1], "data": [1.5]}]})",
         400, "label");
  expect(R"({"parameters": {"seed": 1}, "inputs": [{"name": "label", "datatype": "INT32",
    "shape": [1], "data": [1]}], "outputs": [{"name": "jpeg"}]})",
         400, "jpeg");
  expect(std::string(100, '[') + std::string(100, ']'), 400, "JSON object");
  EXPECT_EQ(HttpGet(port, "/v2/models/cgan/infer").status, 405);
  EXPECT_EQ(HttpPost(port, "/v2/models/nope/infer", "{}").status, 404);
  EXPECT_EQ(HttpGet(port, "/v2/health/live").status, 200) << "still serving";
}

}  // namespace
}  // namespace ganserve::testing
