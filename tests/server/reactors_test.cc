// The callback service seen from real gRPC clients: bytes that do not parse,
// latents out of range, cancel and deadline while queued, refusals with the
// retry trailer, and bounded server threads with 10,000 calls in flight and
// with stalled stream readers.
#include <dirent.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "tests/server/test_server.h"
#include "tests/server/worker_gate.h"

namespace ganserve::testing {
namespace {

using ::testing::HasSubstr;

int ThreadsOfThisProcess() {
  int threads = 0;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  while (dirent* entry = readdir(dir)) threads += entry->d_name[0] != '.';
  closedir(dir);
  return threads;
}

TEST(Reactors, RequestBytesThatDoNotParseAreInvalidArgumentWithAMessage) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  const std::string garbage("\xff\xff\xff\xff\x0f", 5);  // a field number no varint ends
  for (const auto& [method, type] : std::vector<std::pair<std::string, std::string>>{
           {"/ganserve.v1.Generator/Generate", "ganserve.v1.GenerateRequest"},
           {"/ganserve.v1.Generator/GetModel", "ganserve.v1.GetModelRequest"},
           {"/ganserve.v1.Generator/ListModels", "ganserve.v1.ListModelsRequest"}}) {
    grpc::Status status = CallRaw(server->port(), method, garbage);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << method;
    EXPECT_THAT(status.error_message(), HasSubstr("could not be parsed as " + type));
  }
  auto stub = Stub(server->port());
  EXPECT_EQ(ImagesGenerated(*stub, "cgan"), 0u);  // and the server still serves
}

TEST(Reactors, LatentsBeyondTheDocumentedMagnitudeAreRefused) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  auto stub = Stub(server->port());
  v1::GenerateRequest request;
  request.set_model("gan");
  for (int i = 0; i < kLatentSize; ++i) request.mutable_latents()->add_values(i == 2 ? 1e38f : 0);
  grpc::ClientContext context;
  v1::GenerateResponse response;
  grpc::Status status = stub->Generate(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("latent value 2 is 1e+38"));
  EXPECT_THAT(status.error_message(), HasSubstr("within ±1000"));
  request.mutable_latents()->set_values(2, -1000.0f);  // the limit itself is fine
  grpc::ClientContext again;
  EXPECT_TRUE(stub->Generate(&again, request, &response).ok());
}

// A server whose one worker can be held before each batch.
class HeldWorker : public ::testing::Test {
 protected:
  void Start(ServerOptions options = LoopbackOptions()) {
    options.registry.batcher.workers = 1;
    options.registry.batcher.max_queue_delay = std::chrono::microseconds(0);
    options.registry.batcher.before_batch = gate_.Hook();
    server_ = StartServer(options);
    ASSERT_NE(server_, nullptr);
    stub_ = Stub(server_->port());
  }
  void TearDown() override { Release(); }
  void Release() { gate_.Release(); }
  void WaitForBatches(int n) { gate_.WaitForBatches(n); }
  // Sends a one-image call on its own thread; the worker will hold its batch.
  std::future<grpc::Status> Occupy() {
    return std::async(std::launch::async, [this] {
      grpc::ClientContext context;
      v1::GenerateResponse response;
      return stub_->Generate(&context, Sampled(1), &response);
    });
  }
  static v1::GenerateRequest Sampled(int count) {
    v1::GenerateRequest request;
    request.set_model("gan");
    request.mutable_sampling()->set_count(count);
    return request;
  }

  std::unique_ptr<GanServer> server_;
  std::unique_ptr<v1::Generator::Stub> stub_;
  WorkerGate gate_{/*held=*/true};
};

TEST_F(HeldWorker, ACallCancelledWhileQueuedIsCancelledAndCostsNoCompute) {
  Start();
  auto occupant = Occupy();
  WaitForBatches(1);
  grpc::ClientContext context;
  auto queued = std::async(std::launch::async, [&] {
    v1::GenerateResponse response;
    return stub_->Generate(&context, Sampled(3), &response);
  });
  ASSERT_TRUE(WaitFor([&] { return server_->in_flight() == 2; }));
  context.TryCancel();
  EXPECT_EQ(queued.get().error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(WaitFor([&] { return server_->in_flight() == 1; }));  // answered while held
  Release();
  EXPECT_TRUE(occupant.get().ok());
  EXPECT_EQ(ImagesGenerated(*stub_, "gan"), 1u);
}

TEST_F(HeldWorker, ACallWhoseDeadlinePassesWhileQueuedIsDeadlineExceeded) {
  Start();
  auto occupant = Occupy();
  WaitForBatches(1);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  v1::GenerateResponse response;
  EXPECT_EQ(stub_->Generate(&context, Sampled(3), &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  ASSERT_TRUE(WaitFor([&] { return server_->in_flight() == 1; }));
  Release();
  EXPECT_TRUE(occupant.get().ok());
  EXPECT_EQ(ImagesGenerated(*stub_, "gan"), 1u);
}

TEST_F(HeldWorker, ARefusalSaysWhyAndCarriesTheRetryPushbackTrailer) {
  ServerOptions options = LoopbackOptions();
  options.registry.batcher.max_batch = 16;
  options.registry.batcher.admission.max_queued_images = 16;
  Start(options);
  auto occupant = Occupy();
  WaitForBatches(1);
  auto filler = std::async(std::launch::async, [&] {
    grpc::ClientContext context;
    v1::GenerateResponse response;
    return stub_->Generate(&context, Sampled(16), &response);
  });
  ASSERT_TRUE(WaitFor([&] { return server_->in_flight() == 2; }));
  grpc::ClientContext context;
  v1::GenerateResponse response;
  grpc::Status refused = stub_->Generate(&context, Sampled(1), &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("model gan: the model's queue is full"));
  const auto& trailers = context.GetServerTrailingMetadata();
  auto pushback = trailers.find("grpc-retry-pushback-ms");
  ASSERT_NE(pushback, trailers.end()) << "no retry hint";
  EXPECT_GT(std::stoll(std::string(pushback->second.data(), pushback->second.size())), 0);
  Release();
  EXPECT_TRUE(occupant.get().ok());
  EXPECT_TRUE(filler.get().ok());
}

TEST_F(HeldWorker, TenThousandCallsInFlightNeedABoundedNumberOfThreads) {
  ServerOptions options = LoopbackOptions();
  options.registry.batcher.max_batch = 64;
  options.registry.batcher.admission.max_queued_images = 20000;
  options.registry.batcher.admission.max_queue_time = std::chrono::minutes(10);
  options.connections.max_concurrent_streams = 0;  // all 10,000 share the one channel
  Start(options);
  auto occupant = Occupy();
  WaitForBatches(1);
  const int threads_before = ThreadsOfThisProcess();
  constexpr int kCalls = 10000;
  std::vector<grpc::ClientContext> contexts(kCalls);
  std::vector<v1::GenerateResponse> responses(kCalls);
  const v1::GenerateRequest request = Sampled(1);
  std::mutex mu;
  std::condition_variable all_done;
  int done = 0, ok = 0;
  for (int i = 0; i < kCalls; ++i) {
    stub_->async()->Generate(&contexts[i], &request, &responses[i], [&](grpc::Status status) {
      std::lock_guard<std::mutex> lock(mu);
      ++done;
      ok += status.ok();
      all_done.notify_all();
    });
  }
  ASSERT_TRUE(WaitFor([&] { return server_->in_flight() == kCalls + 1; }));
  const int threads_in_flight = ThreadsOfThisProcess();
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  std::cout << "threads: " << threads_before << " before, " << threads_in_flight << " with "
            << kCalls << " calls in flight (client and server in this process, " << cores
            << " cores)\n";
  EXPECT_LE(threads_in_flight, 4 * cores + 16);
  Release();
  std::unique_lock<std::mutex> lock(mu);
  all_done.wait(lock, [&] { return done == kCalls; });
  EXPECT_EQ(ok, kCalls);
  EXPECT_TRUE(occupant.get().ok());
}

TEST_F(HeldWorker, StalledStreamReadersHoldNoServerThreads) {
  ServerOptions options = LoopbackOptions();
  options.registry.batcher.admission.max_queued_images = 20000;  // each stream's window queues
  // A warm-up batch timed while the machine is busy can make the wait
  // estimate refuse some streams, and in_flight would never reach kStreams.
  options.registry.batcher.admission.max_queue_time = std::chrono::minutes(10);
  Start(options);
  Release();
  const int threads_before = ThreadsOfThisProcess();
  constexpr int kStreams = 200;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::GeneratedImage>>> readers;
  for (int i = 0; i < kStreams; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    readers.push_back(stub_->GenerateStream(contexts.back().get(), Sampled(256)));
  }
  ASSERT_TRUE(WaitFor([&] { return server_->in_flight() == kStreams; }));
  const int threads_stalled = ThreadsOfThisProcess();
  std::cout << "threads: " << threads_before << " before, " << threads_stalled << " with "
            << kStreams << " stalled streams\n";
  EXPECT_LE(threads_stalled, 4 * static_cast<int>(std::thread::hardware_concurrency()) + 16);
  // Each reader still gets all of its images, in order, once it reads.
  for (auto& reader : readers) {
    v1::GeneratedImage image;
    int64_t next = 0;
    while (reader->Read(&image)) EXPECT_EQ(image.index(), next++);
    EXPECT_EQ(next, 256);
    EXPECT_TRUE(reader->Finish().ok());
  }
}

}  // namespace
}  // namespace ganserve::testing
