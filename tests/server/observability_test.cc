// What an operator sees of each call: the W3C trace it belongs to (continued
// from the caller's traceparent and returned), a server-timing trailer with
// where its time went, an access-log JSON line, and the in-flight gauge.
#include <cstdio>
#include <future>
#include <optional>
#include <regex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/access_log.h"
#include "server/trace_context.h"
#include "tests/server/http_client.h"
#include "tests/server/test_server.h"
#include "tests/server/worker_gate.h"

namespace ganserve::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The example of the W3C Trace Context specification, section 3.2.
constexpr char kSpecExample[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

TEST(Traceparent, TheSpecificationsExampleParses) {
  auto parsed = ParseTraceparent(kSpecExample);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->trace_id, "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(parsed->parent_id, "b7ad6b7169203331");
  EXPECT_EQ(parsed->flags, 1);
}

TEST(Traceparent, MalformedValuesAreRefusedAndLaterVersionsReadAsZero) {
  for (const char* bad : {
           "",
           "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",    // upper case
           "00-00000000000000000000000000000000-b7ad6b7169203331-01",    // zero trace id
           "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",    // zero parent id
           "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",    // forbidden version
           "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x",  // 00 has no suffix
           "00-0af7651916cd43dd8448eb211c80319-b7ad6b7169203331-01",     // short trace id
           "00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
       }) {
    EXPECT_FALSE(ParseTraceparent(bad).has_value()) << bad;
  }
  auto later = ParseTraceparent("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what");
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->trace_id, "0af7651916cd43dd8448eb211c80319c");
}

TEST(Traceparent, ACallContinuesTheCallersTraceOrStartsOne) {
  const TraceContext continued = ContinueTrace(kSpecExample);
  EXPECT_EQ(continued.trace_id, "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(continued.parent_id, "b7ad6b7169203331");
  EXPECT_NE(continued.span_id, continued.parent_id);
  EXPECT_TRUE(continued.sampled());
  EXPECT_TRUE(ParseTraceparent(continued.Traceparent()).has_value()) << continued.Traceparent();
  const TraceContext fresh = ContinueTrace("garbage");
  EXPECT_TRUE(std::regex_match(fresh.trace_id, std::regex("[0-9a-f]{32}")));
  EXPECT_NE(fresh.trace_id, ContinueTrace(std::nullopt).trace_id);
  EXPECT_FALSE(fresh.sampled());
}

// Everything written to a temporary FILE*, line by line.
std::vector<std::string> Lines(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::vector<std::string> lines;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, file)) lines.emplace_back(buffer);
  return lines;
}

TEST(AccessLog, SampledKeepsFailuresSampledTracesAndOneInNOthers) {
  std::FILE* out = std::tmpfile();
  AccessLog log(AccessLogMode::kSampled, out, /*sample_every=*/10);
  AccessRecord ok{.method = "Generate", .status = "OK"};
  for (int i = 0; i < 20; ++i) log.Write(ok);  // calls 0 and 10 are kept
  log.Write({.method = "Generate", .status = "INVALID_ARGUMENT"});
  log.Write({.method = "Generate", .status = "OK", .trace_sampled = true});
  EXPECT_EQ(Lines(out).size(), 4u);
  // An overload's refusals are sampled like successes: calls 22..41, 30 and 40 kept.
  for (int i = 0; i < 20; ++i) log.Write({.method = "Generate", .status = "RESOURCE_EXHAUSTED"});
  EXPECT_EQ(Lines(out).size(), 6u);
  AccessLog off(AccessLogMode::kOff, out);
  off.Write({.method = "Generate", .status = "INTERNAL"});
  EXPECT_EQ(Lines(out).size(), 6u);
  std::fclose(out);
}

TEST(AccessLog, ALineIsJsonWithEveryField) {
  AccessRecord record{.method = "Gen\"erate",
                      .model = "m",
                      .status = "OK",
                      .images = 3,
                      .timings = {0.001, 0.002, 0.0005},
                      .total_seconds = 0.004,
                      .peer = "ipv4:1.2.3.4:5",
                      .trace_id = "abc"};
  const auto json = nlohmann::json::parse(AccessLogLine(record));
  EXPECT_EQ(json["method"], "Gen\"erate");
  EXPECT_EQ(json["images"], 3);
  EXPECT_DOUBLE_EQ(json["compute_ms"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(json["encode_ms"].get<double>(), 0.5);
  EXPECT_EQ(json["trace_id"], "abc");
  EXPECT_EQ(json["peer"], "ipv4:1.2.3.4:5");
  EXPECT_TRUE(std::regex_match(json["time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}

struct ServerTiming {
  double queue_ms = 0;
  double compute_ms = 0;
  double encode_ms = 0;
};

// The server-timing value the server writes on gRPC trailers and HTTP headers.
std::optional<ServerTiming> ParseServerTiming(const std::string& value) {
  std::smatch match;
  if (!std::regex_match(
          value, match,
          std::regex(R"(queue;dur=([\d.]+), compute;dur=([\d.]+), encode;dur=([\d.]+))"))) {
    return std::nullopt;
  }
  return ServerTiming{std::stod(match[1]), std::stod(match[2]), std::stod(match[3])};
}

std::string Trailer(const grpc::ClientContext& context, const std::string& key) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find(key);
  return it == trailers.end() ? "" : std::string(it->second.data(), it->second.size());
}

TEST(CallObservability, TraceAndTimingsGoBackToTheCallerAndIntoTheAccessLog) {
  std::FILE* out = std::tmpfile();
  ServerOptions options = LoopbackOptions();
  options.service.access_log = AccessLogMode::kAll;
  options.service.access_log_out = out;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  grpc::ClientContext context;
  context.AddMetadata("traceparent", kSpecExample);
  v1::GenerateRequest request;
  request.set_model("gan");
  request.mutable_sampling()->set_count(3);
  v1::GenerateResponse response;
  ASSERT_TRUE(Stub(server->port())->Generate(&context, request, &response).ok());

  const std::string traceparent = Trailer(context, "traceparent");
  EXPECT_THAT(traceparent, StartsWith("00-0af7651916cd43dd8448eb211c80319c-"));
  EXPECT_THAT(traceparent, Not(HasSubstr("b7ad6b7169203331"))) << "the span is the server's own";
  const std::string server_timing = Trailer(context, "server-timing");
  const std::optional<ServerTiming> timing = ParseServerTiming(server_timing);
  ASSERT_TRUE(timing.has_value()) << server_timing;
  EXPECT_GT(timing->compute_ms, 0);
  EXPECT_GT(timing->encode_ms, 0);

  grpc::ClientContext unknown_context;
  request.set_model("nope");
  EXPECT_FALSE(Stub(server->port())->Generate(&unknown_context, request, &response).ok());

  const std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 2u);
  const auto ok = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(ok["method"], "Generate");
  EXPECT_EQ(ok["model"], "gan");
  EXPECT_EQ(ok["status"], "OK");
  EXPECT_EQ(ok["images"], 3);
  EXPECT_EQ(ok["trace_id"], "0af7651916cd43dd8448eb211c80319c");
  EXPECT_THAT(ok["peer"].get<std::string>(), StartsWith("ipv4:127.0.0.1:"));
  EXPECT_NEAR(ok["compute_ms"].get<double>(), timing->compute_ms, 0.001);
  EXPECT_NEAR(ok["encode_ms"].get<double>(), timing->encode_ms, 0.001);
  EXPECT_GE(ok["total_ms"].get<double>(), ok["compute_ms"].get<double>());
  const auto refused = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(refused["status"], "NOT_FOUND");
  EXPECT_EQ(refused["images"], 0);
  EXPECT_EQ(refused["trace_id"].get<std::string>().size(), 32u);
  std::fclose(out);
}

TEST(CallObservability, HttpCallsCarryTheTraceAndTimingsAndAreLoggedLikeGrpcCalls) {
  std::FILE* out = std::tmpfile();
  ServerOptions options = LoopbackOptions();
  options.http_port = 0;
  options.service.access_log = AccessLogMode::kAll;
  options.service.access_log_out = out;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  const HttpAnswer image =
      HttpGet(server->http_port(), "/v1/models/gan/images/11.png", {{"traceparent", kSpecExample}});
  ASSERT_EQ(image.status, 200) << image.body;
  EXPECT_THAT(image.Header("traceparent"), StartsWith("00-0af7651916cd43dd8448eb211c80319c-"));
  EXPECT_THAT(image.Header("traceparent"), Not(HasSubstr("b7ad6b7169203331")));
  const std::string server_timing = image.Header("Server-Timing");
  const std::optional<ServerTiming> timing = ParseServerTiming(server_timing);
  ASSERT_TRUE(timing.has_value()) << server_timing;
  EXPECT_GT(timing->compute_ms, 0);

  const HttpAnswer missing = HttpGet(server->http_port(), "/v1/models/nope/images/1.png");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("traceparent").size(), 55u) << "a trace of its own";

  const std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 2u);
  const auto ok = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(ok["method"], "GET /v1/models/gan/images/11.png");
  EXPECT_EQ(ok["model"], "gan");
  EXPECT_EQ(ok["status"], "OK");
  EXPECT_EQ(ok["images"], 1);
  EXPECT_EQ(ok["trace_id"], "0af7651916cd43dd8448eb211c80319c");
  EXPECT_THAT(ok["peer"].get<std::string>(), StartsWith("ipv4:127.0.0.1:"));
  EXPECT_NEAR(ok["compute_ms"].get<double>(), timing->compute_ms, 0.001);
  const auto refused = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(refused["status"], "NOT_FOUND");
  EXPECT_EQ(refused["images"], 0);
  std::fclose(out);
}

TEST(CallObservability, TheInFlightGaugeCountsCallsBetweenArrivalAndAnswer) {
  WorkerGate gate(/*held=*/true);
  ServerOptions options = LoopbackOptions();
  options.registry.batcher.workers = 1;
  options.registry.batcher.max_queue_delay = std::chrono::microseconds(0);
  options.registry.batcher.before_batch = gate.Hook();
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  auto held = std::async(std::launch::async, [&] {
    grpc::ClientContext context;
    v1::GenerateRequest request;
    request.set_model("gan");
    request.mutable_sampling()->set_count(1);
    v1::GenerateResponse response;
    return Stub(server->port())->Generate(&context, request, &response);
  });
  gate.WaitForBatches(1);
  EXPECT_THAT(server->metrics().Render(), HasSubstr("\nganserve_in_flight_calls 1\n"));
  gate.Release();
  EXPECT_TRUE(held.get().ok());
  ASSERT_TRUE(WaitFor([&] { return server->in_flight() == 0; }));
  EXPECT_THAT(server->metrics().Render(), HasSubstr("\nganserve_in_flight_calls 0\n"));
}

}  // namespace
}  // namespace ganserve::testing
