// SIGTERM to the real ganserve binary: a stream in flight finishes whole, new
// calls are refused while it drains, and the process exits 0.

#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "ganserve/v1/generator.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/client/ganctl_process.h"
#include "tests/client/live_ganserve.h"

namespace ganserve::client {
namespace {

using ganserve::testing::LiveGanserve;

constexpr int kImages = 256;
constexpr int kRawFloatBytes = 28 * 28 * 1 * 4;

// Without BDP probing the stream's flow-control window stays at 64 KB, so a
// server writing 256 raw float images (784 KB) blocks until we read: the call
// is provably still in flight when the signal arrives.
std::unique_ptr<v1::Generator::Stub> SmallWindowStub(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  return v1::Generator::NewStub(
      grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
}

v1::GenerateRequest SampledRequest(int count, v1::ImageFormat format) {
  v1::GenerateRequest request;
  request.mutable_sampling()->set_seed(3);
  request.mutable_sampling()->set_count(count);
  request.add_labels(4);
  request.set_format(format);
  return request;
}

TEST(LiveDrain, SigtermFinishesTheStreamInFlightRefusesNewCallsAndExitsZero) {
  const std::string model = ganserve::testing::SourcePath("models/fashion-cgan/generator.onnx");
  auto server = LiveGanserve::Start(
      GANSERVE_PATH, {"--model=fashion=" + model, "--repository_poll_s=0", "--drain_timeout_s=60"},
      absl::Seconds(120));
  ASSERT_TRUE(server.ok()) << server.status();

  auto stub = SmallWindowStub((*server)->target());
  grpc::ClientContext stream_context;
  auto reader =
      stub->GenerateStream(&stream_context, SampledRequest(kImages, v1::IMAGE_FORMAT_RAW_FLOAT32));
  v1::GeneratedImage image;
  ASSERT_TRUE(reader->Read(&image)) << reader->Finish().error_message();

  int wait_status = -1;
  std::thread terminator([&] { wait_status = (*server)->Terminate(absl::Seconds(60)); });

  // Until the server has taken the signal, new calls still succeed.
  grpc::Status refused;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < give_up) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::GenerateResponse response;
    refused = stub->Generate(&context, SampledRequest(1, v1::IMAGE_FORMAT_PNG), &response);
    if (!refused.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();

  int received = 1;
  EXPECT_EQ(image.index(), 0u);
  while (reader->Read(&image)) {
    EXPECT_EQ(image.index(), static_cast<uint32_t>(received));
    EXPECT_EQ(image.data().size(), static_cast<size_t>(kRawFloatBytes));
    ++received;
  }
  const grpc::Status finished = reader->Finish();
  EXPECT_TRUE(finished.ok()) << finished.error_message();
  EXPECT_EQ(received, kImages);

  terminator.join();
  ASSERT_TRUE(WIFEXITED(wait_status)) << "ganserve did not exit by itself: " << (*server)->log();
  EXPECT_EQ(WEXITSTATUS(wait_status), 0) << (*server)->log();
}

// A stream whose images were all computed but not yet written (the reader is
// slow) and that is then cancelled must still end: it once waited for a
// write that never came, so it stayed in flight and SIGTERM never finished.
TEST(LiveDrain, AStreamCancelledAfterItsImagesWereComputedEndsAndSigtermExits) {
  const std::string model = ganserve::testing::SourcePath("models/fashion-cgan/generator.onnx");
  auto server = LiveGanserve::Start(GANSERVE_PATH,
                                    {"--model=fashion=" + model, "--repository_poll_s=0",
                                     "--workers=1", "--max_batch=16", "--drain_timeout_s=5"},
                                    absl::Seconds(120));
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = SmallWindowStub((*server)->target());
  constexpr int kComputedAhead = 32;  // (workers + 1) x max_batch: all of it runs unread
  grpc::ClientContext context;
  auto reader =
      stub->GenerateStream(&context, SampledRequest(kComputedAhead, v1::IMAGE_FORMAT_RAW_FLOAT32));
  v1::GeneratedImage image;
  ASSERT_TRUE(reader->Read(&image));
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  uint64_t generated = 0;
  while (generated < kComputedAhead && std::chrono::steady_clock::now() < give_up) {
    grpc::ClientContext get_context;
    v1::GetModelRequest get;
    get.set_name("fashion");
    v1::ModelInfo info;
    if (stub->GetModel(&get_context, get, &info).ok()) generated = info.images_generated();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(generated, static_cast<uint64_t>(kComputedAhead));
  context.TryCancel();
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);

  const int wait_status = (*server)->Terminate(absl::Seconds(15));
  ASSERT_TRUE(WIFEXITED(wait_status)) << "ganserve hung in its drain: " << (*server)->log();
  EXPECT_EQ(WEXITSTATUS(wait_status), 0);
  EXPECT_THAT((*server)->log(), ::testing::HasSubstr("stopped all_in_flight_finished=true"));
}

}  // namespace
}  // namespace ganserve::client
