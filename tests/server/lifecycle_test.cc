// Health (overall and per model), streaming, and the drain on shutdown.
#include <atomic>
#include <thread>

#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "tests/server/test_server.h"

namespace ganserve::testing {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

grpc::Status Check(int port, const std::string& service, HealthCheckResponse& response) {
  auto stub = grpc::health::v1::Health::NewStub(Connect(port));
  grpc::ClientContext context;
  HealthCheckRequest request;
  request.set_service(service);
  return stub->Check(&context, request, &response);
}

TEST(Health, ServingOverallAndPerModelAndUnknownIsNotFound) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  HealthCheckResponse response;
  ASSERT_TRUE(Check(server->port(), "", response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  ASSERT_TRUE(Check(server->port(), "cgan", response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  EXPECT_EQ(Check(server->port(), "nope", response).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(Stream, OneMessagePerImageInOrderMatchingUnary) {
  ServerOptions options = LoopbackOptions();
  options.registry.batcher.max_batch = 2;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  auto stub = Stub(server->port());
  v1::GenerateRequest request;
  request.mutable_sampling()->set_seed(99);
  request.mutable_sampling()->set_count(7);
  request.add_labels(5);
  grpc::ClientContext unary_context;
  v1::GenerateResponse unary;
  ASSERT_TRUE(stub->Generate(&unary_context, request, &unary).ok());

  grpc::ClientContext context;
  auto reader = stub->GenerateStream(&context, request);
  v1::GeneratedImage image;
  int n = 0;
  while (reader->Read(&image)) {
    EXPECT_EQ(image.index(), static_cast<uint32_t>(n));
    ASSERT_LT(n, unary.images_size());
    EXPECT_EQ(image.data(), unary.images(n).data());
    ++n;
  }
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(n, 7);
}

TEST(Stream, FirstImageArrivesBeforeTheLastIsComputed) {
  ServerOptions options = LoopbackOptions();
  options.registry.batcher.max_batch = 1;
  options.registry.batcher.workers = 1;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  // About 4M multiply-adds per image in the reference executor: milliseconds each.
  ASSERT_TRUE(server->registry().AddGenerator("slow", MakeGenerator(SlowModel(3, 16))).ok());
  auto stub = Stub(server->port());
  constexpr int kCount = 32;
  v1::GenerateRequest request;
  request.set_model("slow");
  request.mutable_sampling()->set_count(kCount);
  grpc::ClientContext context;
  auto reader = stub->GenerateStream(&context, request);
  v1::GeneratedImage image;
  ASSERT_TRUE(reader->Read(&image));
  EXPECT_EQ(image.index(), 0u);
  const uint64_t after_first = ImagesGenerated(*stub, "slow");
  ::testing::Test::RecordProperty("images_generated_after_first_read", std::to_string(after_first));
  EXPECT_GE(after_first, 1u);
  EXPECT_LT(after_first, static_cast<uint64_t>(kCount))
      << "the whole answer was computed before the first image was sent";
  int n = 1;
  while (reader->Read(&image)) ++n;
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(n, kCount);
  EXPECT_EQ(ImagesGenerated(*stub, "slow"), static_cast<uint64_t>(kCount));
}

TEST(Stream, ErrorsArriveAsTheStreamStatus) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  grpc::ClientContext context;
  v1::GenerateRequest request;
  request.set_model("cgan");
  request.mutable_sampling()->set_count(2);  // no labels for a conditional model
  auto reader = Stub(server->port())->GenerateStream(&context, request);
  v1::GeneratedImage image;
  EXPECT_FALSE(reader->Read(&image));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

// A server whose workers wait 400 ms for a fuller batch, so calls are still
// queued when a drain test acts.
std::unique_ptr<GanServer> StartWaitingServer() { return StartServer(LingeringBatchOptions()); }

TEST(Drain, InFlightCallsFinishNewOnesAreRefusedAndHealthIsNotServing) {
  auto server = StartWaitingServer();
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  constexpr int kCalls = 8;
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> calls;
  for (int i = 0; i < kCalls; ++i) {
    calls.emplace_back([&, i] {
      v1::GenerateRequest request;
      request.set_model("gan");
      request.mutable_sampling()->set_seed(i);
      request.mutable_sampling()->set_count(2);
      grpc::ClientContext context;
      v1::GenerateResponse response;
      (Stub(port)->Generate(&context, request, &response).ok() ? ok : failed)++;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // all queued, none done
  std::atomic<bool> drained{false};
  std::thread drainer([&] { drained = server->Drain(std::chrono::seconds(10)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  HealthCheckResponse health;
  ASSERT_TRUE(Check(port, "", health).ok());
  EXPECT_EQ(health.status(), HealthCheckResponse::NOT_SERVING);
  v1::GenerateRequest late;
  late.set_model("gan");
  late.mutable_sampling()->set_count(1);
  grpc::ClientContext late_context;
  v1::GenerateResponse late_response;
  grpc::Status refused = Stub(port)->Generate(&late_context, late, &late_response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  for (auto& t : calls) t.join();
  drainer.join();
  EXPECT_TRUE(drained);
  EXPECT_EQ(ok, kCalls);
  EXPECT_EQ(failed, 0);
}

// What client-side health checking (grpc.health.v1 Watch) relies on to stop
// picking a draining replica while its last calls still run.
TEST(Drain, HealthWatchersHearNotServingWhileCallsAreStillInFlight) {
  auto server = StartWaitingServer();
  ASSERT_NE(server, nullptr);
  auto health = grpc::health::v1::Health::NewStub(Connect(server->port()));
  grpc::ClientContext watch_context;
  HealthCheckRequest request;
  auto watch = health->Watch(&watch_context, request);
  HealthCheckResponse status;
  ASSERT_TRUE(watch->Read(&status));
  EXPECT_EQ(status.status(), HealthCheckResponse::SERVING);
  std::thread call([&] {
    v1::GenerateRequest slow;
    slow.set_model("gan");
    slow.mutable_sampling()->set_count(1);
    grpc::ClientContext context;
    v1::GenerateResponse response;
    EXPECT_TRUE(Stub(server->port())->Generate(&context, slow, &response).ok());
  });
  ASSERT_TRUE(WaitFor([&] { return server->in_flight() == 1; }));
  std::thread drainer([&] { EXPECT_TRUE(server->Drain(std::chrono::seconds(10))); });
  ASSERT_TRUE(watch->Read(&status));
  EXPECT_EQ(status.status(), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(server->in_flight(), 1) << "the watcher heard only once the calls were done";
  call.join();
  drainer.join();
}

TEST(Drain, PerModelHealthIsNotServingWhileDraining) {
  ServerOptions options = LoopbackOptions();
  options.registry.batcher.max_batch = 64;
  options.registry.batcher.max_queue_delay = std::chrono::milliseconds(800);
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  HealthCheckResponse health;
  for (const std::string model : {"cgan", "gan"}) {
    ASSERT_TRUE(Check(port, model, health).ok());
    EXPECT_EQ(health.status(), HealthCheckResponse::SERVING) << model;
  }
  // One call waits in the queue for company, which keeps the drain going.
  std::thread call([&] {
    v1::GenerateRequest request;
    request.set_model("gan");
    request.mutable_sampling()->set_count(1);
    grpc::ClientContext context;
    v1::GenerateResponse response;
    EXPECT_TRUE(Stub(port)->Generate(&context, request, &response).ok());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  std::thread drainer([&] { EXPECT_TRUE(server->Drain(std::chrono::seconds(10))); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (const std::string model : {"cgan", "gan"}) {
    ASSERT_TRUE(Check(port, model, health).ok()) << model;
    EXPECT_EQ(health.status(), HealthCheckResponse::NOT_SERVING) << model;
  }
  // A model that finishes loading during the drain is not advertised either.
  ASSERT_TRUE(server->registry().AddGenerator("late", MakeGenerator(UnconditionalModel(4))).ok());
  grpc::Status late = Check(port, "late", health);
  EXPECT_TRUE(late.ok() && health.status() == HealthCheckResponse::NOT_SERVING)
      << late.error_message() << " status " << health.status();
  call.join();
  drainer.join();
}

}  // namespace
}  // namespace ganserve::testing
