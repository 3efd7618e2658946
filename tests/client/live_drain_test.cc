// SIGTERM to the real ganserve binary: a stream in flight finishes whole, new
// calls are refused while it drains, and the process exits 0.

#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "ganserve/v1/generator.grpc.pb.h"
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

}  // namespace
}  // namespace ganserve::client
