// A served repository whose model files are parsed in the loader child: a
// file that crashes, hangs or garbles the child is dropped with a named
// model_load_failed, and the old version keeps answering.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "engine/file_contents.h"
#include "engine/loader_child/isolated_load.h"
#include "gtest/gtest.h"
#include "tests/server/repository_files.h"
#include "tests/server/test_server.h"
#include "tests/testing/hostile_answers.h"

namespace ganserve::testing {
namespace {

namespace fs = std::filesystem;

ServerOptions IsolatedRepository(const fs::path& repo, const std::string& loader) {
  ServerOptions options = LoopbackOptions();  // poll_interval 0: the test polls
  options.registry.repository = repo.string();
  LoaderLimits limits;
  limits.max_memory_mb = 256;  // the flood is read that far
  limits.max_cpu_seconds = 10;
  // Long enough to read the flood: filling 256 MB of fresh pages took 4.3 s on
  // one of this project's 2-core machines.
  limits.timeout = absl::Seconds(10);
  options.registry.load.loader = [loader, limits](const std::string& path) {
    return LoadModelIsolated(loader, path, limits);
  };
  return options;
}

struct Answer {
  grpc::Status status;
  std::string version;
  std::string first_image;
};

Answer GenerateSeeded(int port) {
  v1::GenerateRequest request;
  request.set_model("faces");
  request.mutable_sampling()->set_seed(9);
  request.mutable_sampling()->set_count(2);
  request.add_labels(1);  // k38_cgan is conditional
  grpc::ClientContext context;
  v1::GenerateResponse response;
  Answer answer;
  answer.status = Stub(port)->Generate(&context, request, &response);
  answer.version = response.model_version();
  if (response.images_size() > 0) answer.first_image = response.images(0).data();
  return answer;
}

TEST(IsolatedLoading, FilesThatBreakTheLoaderAreDroppedNamedAndTheOldVersionServes) {
  const fs::path repo = NewRepository("ganserve_isolated_");
  const fs::path model = repo / "faces" / "generator.keras";
  const std::string real_model =
      ReadFileContents(SourceFixture("keras/k38_cgan.keras")).value_or("");
  WriteFile(model, real_model);
  ServerOptions options = IsolatedRepository(repo, GANSERVE_MISBEHAVING_LOADER);
  options.metrics_port = 0;
  auto created = GanServer::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  GanServer& server = **created;
  const Answer before = GenerateSeeded(server.port());
  ASSERT_TRUE(before.status.ok()) << before.status.error_message();
  ASSERT_EQ(before.version, "1");

  for (const auto& [mode, reason, says] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"crash", "loader_crashed", "the loader crashed with signal 11"},
           {"hang", "loader_timeout", "the loader timed out after 10s"},
           {"garbage", "loader_bad_answer", "the loader's answer is bad"},
           {"flood", "loader_memory_limit",
            "the loader's answer exceeds its memory limit of 256 MB"}}) {
    WriteFile(model, "misbehave " + mode);
    const std::string log = PollLog(server);
    const std::vector<std::string> failed = LinesWith(log, "model_load_failed model=faces");
    ASSERT_EQ(failed.size(), 1u) << mode << ":\n" << log;
    EXPECT_NE(failed[0].find(" reason=" + reason + " "), std::string::npos) << failed[0];
    EXPECT_NE(failed[0].find(model.string() + ": " + says), std::string::npos) << failed[0];
    const Answer after = GenerateSeeded(server.port());
    ASSERT_TRUE(after.status.ok()) << mode << ": " << after.status.error_message();
    EXPECT_EQ(after.version, "1") << mode;
    EXPECT_EQ(after.first_image, before.first_image) << mode << ": not the old model's images";
    const std::string metric =
        "ganserve_model_load_failures_total{model=\"faces\",reason=\"" + reason + "\"} 1\n";
    EXPECT_NE(server.metrics().Render().find(metric), std::string::npos) << metric;
  }

  WriteFile(model, real_model);  // the file put right: a new version of the same model
  const std::string log = PollLog(server);
  EXPECT_EQ(LinesWith(log, "model_serving model=faces version=2").size(), 1u) << log;
  const Answer fixed = GenerateSeeded(server.port());
  ASSERT_TRUE(fixed.status.ok()) << fixed.status.error_message();
  EXPECT_EQ(fixed.version, "2");
  EXPECT_EQ(fixed.first_image, before.first_image);
  fs::remove_all(repo);
}

// The full replay's five answers "without an outcome" had one: their
// model_load_failed line stopped at a NUL the answer put in an op type.
TEST(IsolatedLoading, AnAnswerWithControlBytesGetsOneWholeRefusalLine) {
  const fs::path repo = NewRepository("ganserve_control_bytes_");
  WriteFile(repo / "faces" / "generator.keras",
            ReadFileContents(SourceFixture("keras/k38_cgan.keras")).value_or(""));
  auto created = GanServer::Create(IsolatedRepository(repo, GANSERVE_MISBEHAVING_LOADER));
  ASSERT_TRUE(created.ok()) << created.status();
  GanServer& server = **created;
  const fs::path hostile = repo / "hostile" / "generator.onnx";
  WriteFile(hostile, AnswerWithControlBytesInAnOpType());

  const std::string log = PollLog(server);
  const std::vector<std::string> failed = LinesWith(log, "model_load_failed model=hostile");
  ASSERT_EQ(failed.size(), 1u) << log;
  EXPECT_NE(failed[0].find(" reason=loader_bad_answer "), std::string::npos) << failed[0];
  const std::string says = hostile.string() +
                           ": the loader's answer is bad: loader answer: " + "unknown op type '" +
                           kControlBytesOpTypeInOneLine + "'\"";
  EXPECT_TRUE(absl::EndsWith(failed[0], says)) << failed[0];
  EXPECT_EQ(log.find('\0'), std::string::npos) << log;
  EXPECT_TRUE(GenerateSeeded(server.port()).status.ok());
  fs::remove_all(repo);
}

}  // namespace
}  // namespace ganserve::testing
