#include "engine/loader_child/isolated_load.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "engine/loaders/load_model.h"
#include "engine/wire/model_codec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/hostile_answers.h"
#include "tests/testing/source_dir.h"

namespace ganserve {
namespace {

using ::testing::HasSubstr;

void ExpectRefused(const std::string& loader, const std::string& path, const LoaderLimits& limits,
                   absl::StatusCode code, const std::string& reason) {
  auto model = LoadModelIsolated(loader, path, limits);
  EXPECT_EQ(model.status().code(), code);
  EXPECT_THAT(model.status().message(), HasSubstr(path + ": "));
  EXPECT_THAT(model.status().message(), HasSubstr(reason));
}

LoaderLimits ShortLimits() {
  LoaderLimits limits;
  limits.max_cpu_seconds = 1;
  limits.timeout = absl::Seconds(3);
  return limits;
}

TEST(IsolatedLoad, TheChildsModelIsTheOneLoadedInProcess) {
  for (const char* name :
       {"/tests/fixtures/keras/k38_cgan.keras", "/tests/fixtures/keras/tf29_functional_cgan.h5",
        "/tests/fixtures/onnx/conditional_op13.onnx"}) {
    const std::string path = SourceDir() + name;
    auto in_process = LoadModel(path);
    ASSERT_TRUE(in_process.ok()) << in_process.status();
    auto isolated = LoadModelIsolated(GANSERVE_LOADER_BINARY, path, LoaderLimits{});
    ASSERT_TRUE(isolated.ok()) << isolated.status();
    EXPECT_EQ(*EncodeLoadedModel(*isolated), *EncodeLoadedModel(*in_process)) << path;
  }
}

TEST(IsolatedLoad, TheLoadersRefusalNamesTheFile) {
  ExpectRefused(GANSERVE_LOADER_BINARY, "/etc/hostname", LoaderLimits{},
                absl::StatusCode::kInvalidArgument, "not an ONNX model");
}

TEST(IsolatedLoad, TheRefusalIsOneLineNamingTheFileOnce) {
  auto model = LoadModelIsolated(GANSERVE_LOADER_BINARY, "/etc/hostname", LoaderLimits{});
  ASSERT_FALSE(model.ok());
  const std::string message(model.status().message());
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find("/etc/hostname"), 0u) << message;
  EXPECT_EQ(message.find("/etc/hostname", 1), std::string::npos) << message;
}

TEST(IsolatedLoad, OnlyTheRefusalsLastLineIsPassedOnWithoutControlBytes) {
  // "noisy" prints library chatter over several lines, then its refusal.
  auto model = LoadModelIsolated(GANSERVE_MISBEHAVING_LOADER, "noisy", ShortLimits());
  EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(model.status().message(), "noisy: layer \"dense 1\" is broken") << model.status();
}

// Under an address-space limit below what the loader needs, HDF5's
// allocations fail (it says "Malloc failure", or crashes on the null it got):
// the user is told the limit was hit.
TEST(IsolatedLoad, RunningOutOfTheMemoryLimitIsNamed) {
  LoaderLimits limits;
  limits.max_memory_mb = 8;
  for (const char* name :
       {"/tests/fixtures/keras/k38_cgan.keras", "/tests/fixtures/keras/tf29_functional_cgan.h5"}) {
    ExpectRefused(GANSERVE_LOADER_BINARY, SourceDir() + name, limits,
                  absl::StatusCode::kResourceExhausted, "ran out of its memory limit of 8 MB");
  }
}

// The filter ganserve-load enters, entered by a child that then does what
// an exploited parser would: each call is stopped and named.
TEST(IsolatedLoad, AForbiddenSystemCallIsStoppedAndNamed) {
  std::remove("/tmp/ganserve_misbehaving_dropped");
  for (const auto& [mode, call] : std::vector<std::pair<std::string, std::string>>{
           {"socket", "socket (41)"}, {"write_file", "openat (257)"}, {"execve", "execve (59)"}}) {
    ExpectRefused(GANSERVE_MISBEHAVING_LOADER, mode, ShortLimits(),
                  absl::StatusCode::kPermissionDenied, "forbidden system call, " + call);
    auto model = LoadModelIsolated(GANSERVE_MISBEHAVING_LOADER, mode, ShortLimits());
    EXPECT_EQ(LoadFailureReason(model.status()), "loader_forbidden_syscall");
  }
  EXPECT_NE(access("/tmp/ganserve_misbehaving_dropped", F_OK), 0) << "the file was written";
}

TEST(IsolatedLoad, ACrashIsReportedWithItsSignal) {
  ExpectRefused(GANSERVE_MISBEHAVING_LOADER, "crash", ShortLimits(), absl::StatusCode::kInternal,
                "crashed with signal 11");
}

TEST(IsolatedLoad, TheCpuLimitIsReported) {
  // Wall-clock room for one CPU second on a busy two-core machine.
  LoaderLimits limits = ShortLimits();
  limits.timeout = absl::Seconds(25);
  ExpectRefused(GANSERVE_MISBEHAVING_LOADER, "spin", limits, absl::StatusCode::kResourceExhausted,
                "CPU limit of 1 s");
}

TEST(IsolatedLoad, AHangIsKilledAtTheTimeout) {
  ExpectRefused(GANSERVE_MISBEHAVING_LOADER, "hang", ShortLimits(),
                absl::StatusCode::kDeadlineExceeded, "timed out after 3s");
}

TEST(IsolatedLoad, ABadAnswerIsRefused) {
  ExpectRefused(GANSERVE_MISBEHAVING_LOADER, "garbage", ShortLimits(), absl::StatusCode::kInternal,
                "answer is bad");
}

// The decoder quotes the unknown op type, bytes the child chose: a NUL in it cut
// the server's model_load_failed line short, so the refusal went unseen.
TEST(IsolatedLoad, ABadAnswersControlBytesStayOutOfTheRefusal) {
  const std::string path = ::testing::TempDir() + "/control_bytes_answer.onnx";
  {
    std::ofstream(path, std::ios::binary)
        << ::ganserve::testing::AnswerWithControlBytesInAnOpType();
  }
  auto model = LoadModelIsolated(GANSERVE_MISBEHAVING_LOADER, path, ShortLimits());
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(LoadFailureReason(model.status()), "loader_bad_answer");
  const std::string message(model.status().message());
  EXPECT_THAT(message, HasSubstr(path + ": the loader's answer is bad"));
  EXPECT_THAT(message, HasSubstr(std::string("unknown op type '") +
                                 ::ganserve::testing::kControlBytesOpTypeInOneLine + "'"));
  for (const char c : message) {
    EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << message;
  }
  std::remove(path.c_str());
}

TEST(IsolatedLoad, AnAnswerBeyondTheMemoryLimitIsCutOff) {
  LoaderLimits limits = ShortLimits();
  limits.max_memory_mb = 1;
  ExpectRefused(GANSERVE_MISBEHAVING_LOADER, "flood", limits, absl::StatusCode::kResourceExhausted,
                "exceeds its memory limit of 1 MB");
}

TEST(IsolatedLoad, AMissingLoaderBinaryIsNamed) {
  ExpectRefused("/nonexistent/ganserve-load", "x.onnx", ShortLimits(),
                absl::StatusCode::kFailedPrecondition, "cannot start the loader");
}

}  // namespace
}  // namespace ganserve
