// Concurrent requests are merged into shared engine batches, and every
// request still gets exactly its own images back.
#include <thread>

#include "gtest/gtest.h"
#include "tests/server/test_server.h"

namespace ganserve::testing {
namespace {

v1::GenerateRequest Tagged(int request_index, int count) {
  v1::GenerateRequest request;
  request.set_model("cgan");
  for (int i = 0; i < count * kLatentSize; ++i) {
    request.mutable_latents()->add_values(0.05f * request_index - 0.3f * (i % 5) + 0.01f * i);
  }
  for (int i = 0; i < count; ++i) request.add_labels((request_index + i) % kClasses);
  request.set_format(v1::IMAGE_FORMAT_RAW_FLOAT32);
  return request;
}

TEST(Batching, ConcurrentRequestsShareBatchesAndKeepTheirOwnImages) {
  // Single-request answers from a server that cannot batch.
  ServerOptions alone_options = LoopbackOptions();
  alone_options.registry.batcher.max_batch = 3;
  alone_options.registry.batcher.max_queue_delay = std::chrono::microseconds(0);
  auto alone = StartServer(alone_options);
  ASSERT_NE(alone, nullptr);
  constexpr int kRequests = 12;
  std::vector<v1::GenerateResponse> expected(kRequests);
  auto alone_stub = Stub(alone->port());
  for (int r = 0; r < kRequests; ++r) {
    grpc::ClientContext context;
    ASSERT_TRUE(alone_stub->Generate(&context, Tagged(r, 1 + r % 3), &expected[r]).ok());
  }

  ServerOptions options = LoopbackOptions();
  options.registry.batcher.max_batch = 16;
  options.registry.batcher.workers = 1;
  options.registry.batcher.max_queue_delay = std::chrono::milliseconds(100);
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  std::vector<v1::GenerateResponse> got(kRequests);
  std::vector<grpc::Status> status(kRequests);
  std::vector<std::thread> threads;
  for (int r = 0; r < kRequests; ++r) {
    threads.emplace_back([&, r] {
      auto stub = Stub(server->port());
      grpc::ClientContext context;
      status[r] = stub->Generate(&context, Tagged(r, 1 + r % 3), &got[r]);
    });
  }
  for (auto& t : threads) t.join();
  for (int r = 0; r < kRequests; ++r) {
    ASSERT_TRUE(status[r].ok()) << status[r].error_message();
    ASSERT_EQ(got[r].images_size(), expected[r].images_size());
    for (int i = 0; i < got[r].images_size(); ++i) {
      EXPECT_EQ(got[r].images(i).data(), expected[r].images(i).data()) << r << "/" << i;
      EXPECT_EQ(got[r].images(i).label(), expected[r].images(i).label());
    }
  }
  grpc::ClientContext context;
  v1::GetModelRequest get;
  get.set_name("cgan");
  v1::ModelInfo info;
  ASSERT_TRUE(Stub(server->port())->GetModel(&context, get, &info).ok());
  EXPECT_EQ(info.images_generated(), 24u);  // 12 requests of 1, 2 or 3 images
  EXPECT_LT(info.batches_run(), static_cast<uint64_t>(kRequests) / 2)
      << "requests were not merged into shared batches";
}

}  // namespace
}  // namespace ganserve::testing
