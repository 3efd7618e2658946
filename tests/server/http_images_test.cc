// Images by URL against the native API: image (seed, index) is image
// `index` of a native seeded Generate, a grid is those images laid out in
// order, ETags are stable per parameters, and the response cache counts its
// hits without changing a byte.
#include <regex>

#include "engine/png.h"
#include "gtest/gtest.h"
#include "tests/server/http_client.h"
#include "tests/server/test_server.h"

namespace ganserve::testing {
namespace {

ServerOptions WithHttp(size_t cache_bytes = 0) {
  ServerOptions options = LoopbackOptions();
  options.metrics_port = 0;
  options.http_port = 0;
  options.cache_bytes = cache_bytes;
  return options;
}

v1::GenerateResponse NativeSeeded(int port, const std::string& model, uint64_t seed, int count,
                                  std::vector<int32_t> labels, v1::ImageFormat format) {
  v1::GenerateRequest request;
  request.set_model(model);
  request.mutable_sampling()->set_seed(seed);
  request.mutable_sampling()->set_count(count);
  for (int32_t label : labels) request.add_labels(label);
  request.set_format(format);
  grpc::ClientContext context;
  v1::GenerateResponse response;
  EXPECT_TRUE(Stub(port)->Generate(&context, request, &response).ok());
  return response;
}

uint64_t MetricValue(int metrics_port, const std::string& series) {
  const std::string text = HttpGet(metrics_port, "/metrics").body;
  std::smatch match;
  const std::regex line(std::regex_replace(series, std::regex(R"([{}"])"), R"(\$&)") + R"( (\d+))");
  return std::regex_search(text, match, line) ? std::stoull(match[1]) : 0;
}

TEST(HttpImages, ImageOfSeedAndIndexIsThatImageOfANativeSeededRequest) {
  auto server = StartServer(WithHttp());
  ASSERT_NE(server, nullptr);
  const v1::GenerateResponse native =
      NativeSeeded(server->port(), "cgan", 7, 3, {4}, v1::IMAGE_FORMAT_PNG);
  ASSERT_EQ(native.images_size(), 3);
  const HttpAnswer one =
      HttpGet(server->http_port(), "/v1/models/cgan/images/7.png?index=2&label=4");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.Header("Content-Type"), "image/png");
  EXPECT_EQ(one.body, native.images(2).data());
  // Without a label, image i has label i mod label_count.
  const v1::GenerateResponse cycled =
      NativeSeeded(server->port(), "cgan", 7, 3, {0, 1, 2}, v1::IMAGE_FORMAT_PNG);
  EXPECT_EQ(HttpGet(server->http_port(), "/v1/models/cgan/images/7.png?index=1").body,
            cycled.images(1).data());
  const v1::GenerateResponse plain =
      NativeSeeded(server->port(), "gan", 9, 1, {}, v1::IMAGE_FORMAT_PNG);
  EXPECT_EQ(HttpGet(server->http_port(), "/v1/models/gan/images/9.png").body,
            plain.images(0).data());
}

TEST(HttpImages, GridIsTheSeedsImagesInOrder) {
  auto server = StartServer(WithHttp());
  ASSERT_NE(server, nullptr);
  const v1::GenerateResponse native =
      NativeSeeded(server->port(), "gan", 5, 3, {}, v1::IMAGE_FORMAT_RAW_UINT8);
  const HttpAnswer grid =
      HttpGet(server->http_port(), "/v1/models/gan/grid.png?seed=5&n=3&columns=2&scale=1");
  ASSERT_EQ(grid.status, 200) << grid.body;
  absl::StatusOr<Image8> sheet = DecodePng(grid.body);
  ASSERT_TRUE(sheet.ok()) << sheet.status();
  const int64_t h = native.images(0).height(), w = native.images(0).width(), c = 3, gutter = 2;
  EXPECT_EQ(sheet->width, 2 * w + 3 * gutter);
  EXPECT_EQ(sheet->height, 2 * h + 3 * gutter);
  for (int i = 0; i < 3; ++i) {
    const int64_t top = gutter + (i / 2) * (h + gutter), left = gutter + (i % 2) * (w + gutter);
    const std::string& tile = native.images(i).data();
    for (int64_t y = 0; y < h; ++y) {
      const auto* row = &sheet->pixels[((top + y) * sheet->width + left) * c];
      EXPECT_EQ(std::string(row, row + w * c), tile.substr(y * w * c, w * c)) << i << " " << y;
    }
  }
}

TEST(HttpImages, StrongETagPerParametersImmutableAnd304) {
  auto server = StartServer(WithHttp());
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();
  const HttpAnswer a = HttpGet(port, "/v1/models/cgan/images/3.png?label=1");
  const HttpAnswer again = HttpGet(port, "/v1/models/cgan/images/3.png?label=1");
  const HttpAnswer other = HttpGet(port, "/v1/models/cgan/images/3.png?label=2");
  ASSERT_FALSE(a.Header("ETag").empty());
  EXPECT_EQ(a.Header("ETag").front(), '"') << "strong, not W/";
  EXPECT_EQ(a.Header("ETag"), again.Header("ETag"));
  EXPECT_NE(a.Header("ETag"), other.Header("ETag"));
  EXPECT_NE(a.Header("Cache-Control").find("immutable"), std::string::npos);
  const HttpAnswer cached = HttpGet(port, "/v1/models/cgan/images/3.png?label=1",
                                    {{"If-None-Match", "\"x\", " + a.Header("ETag")}});
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.body.empty());
  EXPECT_EQ(
      HttpGet(port, "/v1/models/cgan/images/3.png?label=1", {{"If-None-Match", "\"x\""}}).status,
      200);
}

TEST(HttpImages, MistakesGetTheProtocolsJsonErrors) {
  auto server = StartServer(WithHttp());
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();
  auto expect = [&](const std::string& path, int status, const std::string& says) {
    const HttpAnswer answer = HttpGet(port, path);
    EXPECT_EQ(answer.status, status) << path << " " << answer.body;
    EXPECT_NE(answer.body.find(says), std::string::npos) << path << " " << answer.body;
  };
  expect("/v1/models/cgan/images/-1.png", 400, "seed");
  expect("/v1/models/cgan/images/99999999999999999999.png", 400, "seed");
  expect("/v1/models/cgan/images/1.png?index=x", 400, "index");
  expect("/v1/models/cgan/images/1.png?label=10", 400, "out of range");
  expect("/v1/models/cgan/images/1.png?label=Nope", 400, "unknown label name");
  expect("/v1/models/cgan/images/1.png?truncation=nan", 400, "truncation");
  expect("/v1/models/cgan/images/1.png?colour=red", 400, "colour");
  expect("/v1/models/gan/images/1.png?label=1", 400, "unconditional");
  expect("/v1/models/nope/images/1.png", 404, "no model named");
  expect("/v1/models/cgan/images/1.jpg", 404, "no such path");
  expect("/v1/models/cgan/grid.png?n=0", 400, "n must be");
  expect("/v1/models/cgan/grid.png?n=300", 400, "count must be 1 to 256");
  expect("/v1/models/cgan/grid.png?scale=99", 400, "scale");
  expect("/v1/models/cgan/interpolate.png?from=1", 400, "to");
  expect("/v1/models/cgan/interpolate.png?from=1&to=2&steps=1", 400, "steps");
  EXPECT_EQ(HttpPost(port, "/v1/models/cgan/images/1.png", "").status, 405);
}

TEST(HttpImages, StripEndsAreTheSeedsImages) {
  auto server = StartServer(WithHttp());
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();
  const HttpAnswer strip =
      HttpGet(port, "/v1/models/gan/interpolate.png?from=1&to=2&steps=4&scale=1");
  ASSERT_EQ(strip.status, 200) << strip.body;
  absl::StatusOr<Image8> sheet = DecodePng(strip.body);
  ASSERT_TRUE(sheet.ok());
  const v1::GenerateResponse first =
      NativeSeeded(server->port(), "gan", 1, 1, {}, v1::IMAGE_FORMAT_RAW_UINT8);
  const v1::GenerateResponse last =
      NativeSeeded(server->port(), "gan", 2, 1, {}, v1::IMAGE_FORMAT_RAW_UINT8);
  const int64_t w = first.images(0).width(), c = 3, gutter = 2;
  EXPECT_EQ(sheet->width, 4 * w + 5 * gutter);
  auto tile_row = [&](int tile, int y) {
    const auto* row =
        &sheet->pixels[((gutter + y) * sheet->width + gutter + tile * (w + gutter)) * c];
    return std::string(row, row + w * c);
  };
  EXPECT_EQ(tile_row(0, 0), first.images(0).data().substr(0, w * c));
  EXPECT_EQ(tile_row(3, 0), last.images(0).data().substr(0, w * c));
}

TEST(ResponseCache, RepeatedSeededRequestsAreHitsWithTheSameBytes) {
  auto server = StartServer(WithHttp(1 << 20));
  ASSERT_NE(server, nullptr);
  const int port = server->http_port(), metrics = server->metrics_port();
  const std::string hits = R"(ganserve_cache_hits_total{model="cgan"})";
  const std::string misses = R"(ganserve_cache_misses_total{model="cgan"})";
  const HttpAnswer first = HttpGet(port, "/v1/models/cgan/images/11.png?index=1&label=3");
  EXPECT_EQ(MetricValue(metrics, misses), 1u);
  EXPECT_EQ(MetricValue(metrics, hits), 0u);
  const HttpAnswer second = HttpGet(port, "/v1/models/cgan/images/11.png?index=1&label=3");
  EXPECT_EQ(MetricValue(metrics, hits), 1u);
  EXPECT_EQ(first.body, second.body);
  // The native API shares the cache: the same image, the same key.
  const v1::GenerateResponse native =
      NativeSeeded(server->port(), "cgan", 11, 2, {3}, v1::IMAGE_FORMAT_PNG);
  EXPECT_EQ(native.images(1).data(), first.body);
  const uint64_t misses_before = MetricValue(metrics, misses);
  const v1::GenerateResponse repeated =
      NativeSeeded(server->port(), "cgan", 11, 2, {3}, v1::IMAGE_FORMAT_PNG);
  EXPECT_EQ(MetricValue(metrics, misses), misses_before);
  EXPECT_EQ(MetricValue(metrics, hits), 3u);
  ASSERT_EQ(repeated.images_size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(repeated.images(i).data(), native.images(i).data());
    EXPECT_EQ(repeated.images(i).label(), 3);
    EXPECT_EQ(repeated.images(i).index(), static_cast<uint32_t>(i));
  }
}

TEST(HttpAuth, ImagesNeedTheTokenHealthDoesNot) {
  ServerOptions options = WithHttp();
  options.service.auth_token = "s3cret";
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();
  const HttpAnswer refused = HttpGet(port, "/v1/models/cgan/images/1.png?label=0");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.Header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(HttpGet(port, "/v1/models/cgan/images/1.png?label=0", {{"Authorization", "Bearer no"}})
                .status,
            401);
  EXPECT_EQ(
      HttpGet(port, "/v1/models/cgan/images/1.png?label=0", {{"Authorization", "Bearer s3cret"}})
          .status,
      200);
  EXPECT_EQ(HttpGet(port, "/v2/health/ready").status, 200);
  EXPECT_EQ(HttpGet(port, "/v2/health/live").status, 200);
  // Model readiness would tell a caller without the token which models exist.
  for (const char* path : {"/v2/models/cgan/ready", "/v2/models/nope/ready",
                           "/v2/models/cgan/versions/1/ready", "/v2", "/v1/models"}) {
    const HttpAnswer unknown = HttpGet(port, path);
    EXPECT_EQ(unknown.status, 401) << path;
    EXPECT_EQ(unknown.body.find("cgan"), std::string::npos) << path << ": " << unknown.body;
    EXPECT_EQ(unknown.body.find("serving"), std::string::npos) << path << ": " << unknown.body;
  }
  EXPECT_EQ(HttpGet(port, "/v2/models/cgan/ready", {{"Authorization", "Bearer s3cret"}}).status,
            200);
  EXPECT_EQ(HttpGet(port, "/v2/models/nope/ready", {{"Authorization", "Bearer s3cret"}}).status,
            404);
}

}  // namespace
}  // namespace ganserve::testing
