// ganctl and the bench runner against the real ganserve binary on loopback,
// serving a Keras fixture: counts agree with what the server says it
// generated, the open-loop rate holds, a server killed mid-run is counted,
// and offline `ganctl render` writes the very bytes `ganctl generate` gets.

#include "tests/client/live_ganserve.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "client/bench_runner.h"
#include "engine/loaders/load_model.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/ganctl_process.h"

namespace ganserve::client {
namespace {

namespace fs = std::filesystem;
using ganserve::testing::Ganctl;
using ganserve::testing::GanctlRun;
using ganserve::testing::LiveGanserve;
using ganserve::testing::ReadFile;
using ::testing::HasSubstr;

// A small conditional GAN (latent 6, 3 classes, 4x4x1 tanh output) saved by Keras 3.8.
constexpr char kFixture[] = "tests/fixtures/keras/k38_cgan.keras";

class LiveGanserveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = ganserve::testing::SourcePath(kFixture).string();
    if (!fs::exists(model_))
      GTEST_SKIP() << model_ << " is absent (it comes with the Keras loader)";
    if (absl::StatusOr<LoadedModel> m = LoadModel(model_); !m.ok()) {
      GTEST_SKIP() << "this build cannot load " << model_ << ": " << m.status();
    }
    dir_ = ganserve::testing::FreshTestDir("live_");
  }

  void StartServer(std::vector<std::string> flags = {}) {
    flags.push_back("--model=live=" + model_);
    flags.push_back("--repository_poll_s=0");
    auto server = LiveGanserve::Start(GANSERVE_PATH, flags, absl::Seconds(120));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ConnectionOptions options;
    options.target = server_->target();
    auto connection = Connection::Open(options);
    ASSERT_TRUE(connection.ok()) << connection.status();
    connection_ = *std::move(connection);
  }

  BenchResult RunBench(BenchOptions options) {
    options.model = "live";
    if (options.labels.empty()) options.labels = {0, 1, 2};
    auto runner = BenchRunner::Create(options, *connection_);
    EXPECT_TRUE(runner.ok()) << runner.status();
    auto result = (*runner)->Run();
    EXPECT_TRUE(result.ok()) << result.status();
    return *std::move(result);
  }

  // The server's own count of images it generated (GetModel).
  int64_t ImagesGenerated() {
    auto stub = ganserve::v1::Generator::NewStub(connection_->NewChannel(0));
    grpc::ClientContext context;
    ganserve::v1::GetModelRequest request;
    request.set_name("live");
    ganserve::v1::ModelInfo info;
    const grpc::Status status = stub->GetModel(&context, request, &info);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return info.images_generated();
  }

  std::string model_;
  fs::path dir_;
  std::unique_ptr<LiveGanserve> server_;
  std::unique_ptr<Connection> connection_;
};

TEST_F(LiveGanserveTest, EveryRepeatedModelFlagIsServed) {
  StartServer({"--model", "first=" + model_ + ",second=" + model_});  // then --model=live=
  auto stub = ganserve::v1::Generator::NewStub(connection_->NewChannel(0));
  for (const char* name : {"first", "second", "live"}) {
    grpc::ClientContext context;
    ganserve::v1::GetModelRequest request;
    request.set_name(name);
    ganserve::v1::ModelInfo info;
    const grpc::Status status = stub->GetModel(&context, request, &info);
    EXPECT_TRUE(status.ok()) << name << ": " << status.error_message();
  }
}

TEST_F(LiveGanserveTest, ClosedLoopCountsAddUpAndMatchTheServersCount) {
  StartServer();
  BenchOptions options;
  options.concurrency = 6;
  options.requests = 300;
  options.batch = 3;
  const BenchResult result = RunBench(options);
  EXPECT_EQ(result.sent, 300);
  EXPECT_EQ(result.sent, result.ok + result.errors);
  EXPECT_EQ(result.ok, 300) << server_->log();  // a healthy server under light load
  EXPECT_EQ(result.images, 3 * result.ok);
  EXPECT_EQ(result.latency.count(), result.ok);
  EXPECT_EQ(result.status_counts.at(static_cast<int>(grpc::StatusCode::OK)).count, result.ok);
  EXPECT_EQ(ImagesGenerated(), result.images);
  int64_t series_total = 0;
  for (const SecondStats& s : result.per_second) series_total += s.ok + s.errors;
  EXPECT_EQ(series_total, result.sent);
}

TEST_F(LiveGanserveTest, BadRequestsAreCountedAsErrorsByCode) {
  StartServer();
  BenchOptions options;
  options.concurrency = 2;
  options.requests = 40;
  options.labels = {7};  // the fixture has 3 classes
  const BenchResult result = RunBench(options);
  EXPECT_EQ(result.sent, 40);
  EXPECT_EQ(result.ok, 0);
  EXPECT_EQ(result.errors, 40);
  const ErrorSummary& invalid =
      result.status_counts.at(static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(invalid.count, 40);
  EXPECT_THAT(invalid.first_message, HasSubstr("label 7 is out of range"));
}

TEST_F(LiveGanserveTest, BenchWithoutLabelsCyclesAllClassesOfAConditionalModel) {
  StartServer();
  GanctlRun bench = Ganctl(absl::StrCat("bench --target ", server_->target(),
                                        " --model live -N 30 -c 2 --max-error-rate 0"));
  EXPECT_EQ(bench.exit_code, 0) << bench.out;
  EXPECT_THAT(bench.out, HasSubstr("cycling labels 0..2"));
  EXPECT_EQ(ImagesGenerated(), 30);
}

TEST_F(LiveGanserveTest, BenchApiV2CallsModelInferAndCountsItsImages) {
  StartServer();
  GanctlRun bench = Ganctl(absl::StrCat("bench --api v2 --target ", server_->target(),
                                        " --model live -N 20 -c 2 -b 2 --max-error-rate 0"));
  EXPECT_EQ(bench.exit_code, 0) << bench.out;
  EXPECT_THAT(bench.out, HasSubstr("api v2"));
  EXPECT_THAT(bench.out, HasSubstr("20 sent, 20 ok, 0 errors"));
  EXPECT_EQ(ImagesGenerated(), 40);  // the server's own count: ModelInfer ran them

  BenchOptions options;
  options.api = BenchApi::kV2;
  options.concurrency = 2;
  options.requests = 10;
  options.batch = 3;
  options.labels = {1};
  const BenchResult result = RunBench(options);
  EXPECT_EQ(result.ok, 10);
  EXPECT_EQ(result.images, 30);  // counted from the png output's shape
  GanctlRun wrong = Ganctl(absl::StrCat("bench --api soap --target ", server_->target(), " -N 1"));
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_THAT(wrong.out, HasSubstr("--api must be native"));
}

TEST_F(LiveGanserveTest, BenchApiHttpGetsThePngUrlAndRepeatedSeedsComeFromTheCache) {
  StartServer({"--http_port=0"});
  ASSERT_GT(server_->http_port(), 0) << server_->log();
  const std::string http = absl::StrCat(" --http-target 127.0.0.1:", server_->http_port());
  GanctlRun bench = Ganctl(absl::StrCat("bench --api http --target ", server_->target(), http,
                                        " --model live -N 20 -c 3 --labels 1 --max-error-rate 0"));
  EXPECT_EQ(bench.exit_code, 0) << bench.out;
  EXPECT_THAT(bench.out, HasSubstr("api http"));
  EXPECT_THAT(bench.out, HasSubstr("20 sent, 20 ok, 0 errors"));
  EXPECT_EQ(ImagesGenerated(), 20);  // every seed new: the server made each image
  // Seeds 1..5 again, with a new label so none of them is cached yet: five
  // images made, the other fifteen answers from the response cache. One at a
  // time: two requests for the same image in flight together both miss.
  GanctlRun cycled =
      Ganctl(absl::StrCat("bench --api http --target ", server_->target(), http,
                          " --model live -N 20 -c 1 --labels 2 --seed-cycle 5 --max-error-rate 0"));
  EXPECT_EQ(cycled.exit_code, 0) << cycled.out;
  EXPECT_THAT(cycled.out, HasSubstr("20 sent, 20 ok, 0 errors"));
  EXPECT_EQ(ImagesGenerated(), 25);
  // -b 2 asks for a grid of two images.
  GanctlRun grid = Ganctl(absl::StrCat("bench --api http --target ", server_->target(), http,
                                       " --model live -N 4 -c 1 -b 2 --seed 100 --labels 0"));
  EXPECT_EQ(grid.exit_code, 0) << grid.out;
  EXPECT_EQ(ImagesGenerated(), 33);
  GanctlRun refused = Ganctl(absl::StrCat("bench --api http --target ", server_->target(), http,
                                          " --model nope -N 2 -c 1 --labels 0"));
  EXPECT_THAT(refused.out, HasSubstr("NOT_FOUND"));
}

TEST_F(LiveGanserveTest, OpenLoopHoldsTheRateWithinFivePercent) {
  StartServer();
  BenchOptions options;
  options.rate = 100;  // the fixture takes well under a millisecond per request
  options.duration = absl::Seconds(3);
  options.warmup = absl::Milliseconds(500);
  const BenchResult result = RunBench(options);
  // The schedule is the client's, so these are exact under any load (±1 for
  // the slot on the boundary); warm-up requests are generated too.
  EXPECT_NEAR(result.sent, 300, 1);
  EXPECT_EQ(result.ok, result.sent);
  EXPECT_NEAR(ImagesGenerated(), 350, 1);
  // The measured phase ends with the last answer: 3 s plus that call's
  // latency, which a loaded machine stretches by up to a few hundred ms.
  EXPECT_GE(result.elapsed_seconds, 3.0 - 0.01);
  EXPECT_LE(result.elapsed_seconds, 3.5);
  EXPECT_GE(result.ok / result.elapsed_seconds, 100 * 3.0 / 3.5);
}

TEST_F(LiveGanserveTest, ServerKilledMidRunCountsErrorsAndEndsCleanly) {
  StartServer();
  BenchOptions options;
  options.concurrency = 4;
  options.duration = absl::Seconds(3);
  options.deadline = absl::Seconds(5);
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    server_->Kill();
  });
  const auto begun = std::chrono::steady_clock::now();
  const BenchResult result = RunBench(options);
  killer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - begun, std::chrono::seconds(6));
  EXPECT_GT(result.ok, 20);
  EXPECT_GT(result.errors, 0);
  EXPECT_EQ(result.sent, result.ok + result.errors);
  EXPECT_EQ(result.status_counts.at(static_cast<int>(grpc::StatusCode::OK)).count, result.ok);
  ASSERT_TRUE(result.status_counts.count(static_cast<int>(grpc::StatusCode::UNAVAILABLE)));
}

TEST_F(LiveGanserveTest, GenerateWritesTheBytesRenderWrites) {
  StartServer();
  // 20 images: two engine batches at ganserve's default --max_batch 16.
  for (const std::string label : {"1", "all"}) {
    SCOPED_TRACE(label);
    const fs::path served = dir_ / ("served_" + label), offline = dir_ / ("offline_" + label);
    const std::string common = absl::StrCat(" --seed 7 -n 20 --label ", label);
    GanctlRun generate =
        Ganctl(absl::StrCat("generate --target ", server_->target(), " --model live", common,
                            " --out ", served.string(), " --grid ", served.string(), ".png"));
    ASSERT_EQ(generate.exit_code, 0) << generate.out;
    GanctlRun render = Ganctl(absl::StrCat("render ", model_, common, " --out ", offline.string(),
                                           " --grid ", offline.string(), ".png"));
    ASSERT_EQ(render.exit_code, 0) << render.out;
    int files = 0;
    for (const auto& entry : fs::directory_iterator(served)) {
      const fs::path twin = offline / entry.path().filename();
      ASSERT_TRUE(fs::exists(twin)) << twin;
      EXPECT_EQ(ReadFile(entry.path()), ReadFile(twin)) << entry.path().filename();
      ++files;
    }
    EXPECT_EQ(files, label == "all" ? 60 : 20);
    EXPECT_EQ(ReadFile(served.string() + ".png"), ReadFile(offline.string() + ".png"));
  }
}

}  // namespace
}  // namespace ganserve::client
