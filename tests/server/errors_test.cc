// Every bad request gets its precise status code and a message saying what
// was expected; the server keeps serving afterwards.
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "engine/latent_sampler.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/test_server.h"

namespace ganserve::testing {
namespace {

using ::testing::HasSubstr;

class ErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options = LoopbackOptions();
    options.service.limits.max_images_per_request = 8;
    server_ = StartServer(options);
    ASSERT_NE(server_, nullptr);
    stub_ = Stub(server_->port());
  }
  grpc::Status Call(const v1::GenerateRequest& request) {
    grpc::ClientContext context;
    v1::GenerateResponse response;
    return stub_->Generate(&context, request, &response);
  }
  static v1::GenerateRequest Sampled(const std::string& model, int count) {
    v1::GenerateRequest request;
    request.set_model(model);
    request.mutable_sampling()->set_count(count);
    return request;
  }
  void ExpectStatus(const v1::GenerateRequest& request, grpc::StatusCode code,
                    const std::string& message_part) {
    grpc::Status status = Call(request);
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(message_part));
  }
  std::unique_ptr<GanServer> server_;
  std::unique_ptr<v1::Generator::Stub> stub_;
};

TEST_F(ErrorsTest, UnknownModelIsNotFound) {
  ExpectStatus(Sampled("nope", 1), grpc::StatusCode::NOT_FOUND, "no model named \"nope\"");
  grpc::ClientContext context;
  v1::GetModelRequest get;
  get.set_name("nope");
  v1::ModelInfo info;
  EXPECT_EQ(stub_->GetModel(&context, get, &info).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ErrorsTest, WrongLatentLengthSaysTheExpectedSize) {
  v1::GenerateRequest request;
  request.set_model("gan");
  for (int i = 0; i < 6; ++i) request.mutable_latents()->add_values(0.5f);
  ExpectStatus(request, grpc::StatusCode::INVALID_ARGUMENT, "latents of 4 values each");
  request.mutable_latents()->clear_values();
  ExpectStatus(request, grpc::StatusCode::INVALID_ARGUMENT, "got 0 values");
}

TEST_F(ErrorsTest, NonFiniteLatentsAreRejected) {
  for (float bad :
       {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    v1::GenerateRequest request;
    request.set_model("gan");
    for (float v : {0.1f, bad, 0.0f, 0.0f}) request.mutable_latents()->add_values(v);
    ExpectStatus(request, grpc::StatusCode::INVALID_ARGUMENT, "latent value 1 is not finite");
  }
}

TEST_F(ErrorsTest, LabelsAreCheckedAgainstTheModel) {
  v1::GenerateRequest request = Sampled("cgan", 2);
  ExpectStatus(request, grpc::StatusCode::INVALID_ARGUMENT, "this model is conditional");
  request.add_labels(10);
  ExpectStatus(request, grpc::StatusCode::INVALID_ARGUMENT, "expected 0 to 9");
  request.set_labels(0, -1);
  ExpectStatus(request, grpc::StatusCode::INVALID_ARGUMENT, "label -1 is out of range");
  request.set_labels(0, 1);
  request.add_labels(2);
  request.add_labels(3);
  ExpectStatus(request, grpc::StatusCode::INVALID_ARGUMENT, "one per image (2), got 3");
  v1::GenerateRequest named = Sampled("cgan", 1);
  named.add_label_names("shirt");
  ExpectStatus(named, grpc::StatusCode::INVALID_ARGUMENT, "unknown label name \"shirt\"");
  v1::GenerateRequest unconditional = Sampled("gan", 1);
  unconditional.add_labels(0);
  ExpectStatus(unconditional, grpc::StatusCode::INVALID_ARGUMENT, "unconditional");
}

TEST_F(ErrorsTest, CountMustBeWithinLimits) {
  ExpectStatus(Sampled("gan", 0), grpc::StatusCode::INVALID_ARGUMENT, "must be 1 to 8, got 0");
  ExpectStatus(Sampled("gan", 9), grpc::StatusCode::INVALID_ARGUMENT, "must be 1 to 8, got 9");
  v1::GenerateRequest too_many;
  too_many.set_model("gan");
  for (int i = 0; i < 9 * 4; ++i) too_many.mutable_latents()->add_values(0.0f);
  ExpectStatus(too_many, grpc::StatusCode::INVALID_ARGUMENT, "at most 8 images per request");
  v1::GenerateRequest no_source;
  no_source.set_model("gan");
  ExpectStatus(no_source, grpc::StatusCode::INVALID_ARGUMENT, "either latents or sampling");
  // After all of that the server still answers.
  EXPECT_TRUE(Call(Sampled("gan", 1)).ok());
}

TEST_F(ErrorsTest, TinyTruncationIsRejectedAtOnceWithTheAcceptedRange) {
  // 1e-30 would keep a normal value about once in 1e30 draws: the sampler must never see it.
  for (float bad : {1e-30f, 0.009f, -0.5f, std::numeric_limits<float>::quiet_NaN(),
                    std::numeric_limits<float>::infinity()}) {
    v1::GenerateRequest request = Sampled("gan", 8);
    request.mutable_sampling()->set_truncation(bad);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::GenerateResponse response;
    const auto start = std::chrono::steady_clock::now();
    grpc::Status status = stub_->Generate(&context, request, &response);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_THAT(status.error_message(), HasSubstr("0 (off) or a finite number >= 0.01"));
    EXPECT_LT(took, std::chrono::seconds(1)) << bad;
  }
  v1::GenerateRequest smallest = Sampled("gan", 8);
  smallest.mutable_sampling()->set_truncation(kMinTruncation);
  EXPECT_TRUE(Call(smallest).ok());
}

TEST_F(ErrorsTest, TruncationWithTheUniformDistributionIsRejected) {
  v1::GenerateRequest request = Sampled("gan", 2);
  request.mutable_sampling()->set_truncation(0.5f);
  request.mutable_sampling()->set_distribution(v1::LATENT_DISTRIBUTION_UNIFORM);
  ExpectStatus(request, grpc::StatusCode::INVALID_ARGUMENT, "normal distribution only");
  // The same when uniform is the model's default (model.json) and the request leaves it unset.
  ModelOptions options;
  options.latent_distribution = Distribution::kUniform;
  ASSERT_TRUE(server_->registry()
                  .AddGenerator("uniform", MakeGenerator(UnconditionalModel(2), options))
                  .ok());
  request.set_model("uniform");
  request.mutable_sampling()->clear_distribution();
  ExpectStatus(request, grpc::StatusCode::INVALID_ARGUMENT, "model's default");
  request.mutable_sampling()->set_truncation(0.0f);
  EXPECT_TRUE(Call(request).ok());
}

TEST_F(ErrorsTest, OversizedMessageIsRefusedBeforeAllocation) {
  v1::GenerateRequest request;
  request.set_model("gan");
  request.mutable_latents()->mutable_values()->Resize(5 << 20, 0.0f);  // 20 MiB > 16 MiB limit
  EXPECT_EQ(Call(request).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

// One worker that waits `delay` for a batch of up to 64 to fill, so queued
// calls hold their places meanwhile; at most 64 images queued.
ServerOptions OneSlowWorker(std::chrono::milliseconds delay) {
  ServerOptions options = LoopbackOptions();
  options.registry.batcher.admission.max_queued_images = 64;
  options.registry.batcher.max_batch = 64;
  options.registry.batcher.workers = 1;
  options.registry.batcher.max_queue_delay = delay;
  return options;
}

TEST(QueueLimits, FullQueueIsResourceExhaustedAndStaleRequestsAreDropped) {
  // The first request's 40 images wait for company; 40 more would pass the cap.
  auto server = StartServer(OneSlowWorker(std::chrono::milliseconds(1500)));
  ASSERT_NE(server, nullptr);
  auto stub = Stub(server->port());
  v1::GenerateRequest request;
  request.set_model("gan");
  request.mutable_sampling()->set_count(40);
  grpc::Status first;
  std::thread holder([&] {
    grpc::ClientContext context;
    v1::GenerateResponse response;
    first = stub->Generate(&context, request, &response);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  grpc::ClientContext context;
  v1::GenerateResponse response;
  grpc::Status second = stub->Generate(&context, request, &response);
  EXPECT_EQ(second.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << second.error_message();
  EXPECT_THAT(second.error_message(), HasSubstr("queue is full"));
  holder.join();
  EXPECT_TRUE(first.ok()) << first.error_message();
  request.mutable_sampling()->set_count(1);

  // A request whose deadline passes while queued is dropped before compute.
  grpc::ClientContext short_context;
  short_context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  EXPECT_EQ(stub->Generate(&short_context, request, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(ImagesGenerated(*stub, "gan"), 40u);  // only the first request was computed
}

TEST(QueueLimits, CancelledCallsGiveUpTheirQueueSlots) {
  auto server = StartServer(OneSlowWorker(std::chrono::milliseconds(2500)));
  ASSERT_NE(server, nullptr);
  auto stub = Stub(server->port());
  v1::GenerateRequest request;
  request.set_model("gan");
  request.mutable_sampling()->set_count(30);  // 60 queued: under a full batch, so they wait
  grpc::ClientContext contexts[2];
  grpc::Status queued[2];
  std::vector<std::thread> holders;
  for (int i = 0; i < 2; ++i) {
    holders.emplace_back([&, i] {
      v1::GenerateResponse response;
      queued[i] = stub->Generate(&contexts[i], request, &response);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  {
    grpc::ClientContext context;
    v1::GenerateResponse response;
    v1::GenerateRequest more = request;
    more.mutable_sampling()->set_count(5);
    ASSERT_EQ(stub->Generate(&context, more, &response).error_code(),
              grpc::StatusCode::RESOURCE_EXHAUSTED)
        << "the two calls should fill the queue";
  }
  for (auto& context : contexts) context.TryCancel();
  for (auto& t : holders) t.join();
  for (const auto& status : queued) EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  request.mutable_sampling()->set_count(1);
  // Well before the worker would have popped the cancelled items, a new call is admitted.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  grpc::ClientContext context;
  v1::GenerateResponse response;
  grpc::Status admitted = stub->Generate(&context, request, &response);
  EXPECT_TRUE(admitted.ok()) << admitted.error_message();
  EXPECT_EQ(ImagesGenerated(*stub, "gan"), 1u);  // the cancelled calls cost no compute
}

}  // namespace
}  // namespace ganserve::testing
