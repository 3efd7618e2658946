// The ganserve binary started with a bad --loader_binary: one it cannot
// run stops the start with exit code 2 and a message naming the path; one
// that runs but misbehaves fails the model's load with a model_load_failed
// line naming the file and the reason, and the start fails (exit code 1).
// ganctl inspect and render take the ganserve-load beside their executable,
// so a crashing one there shows they parse in it.
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/ganctl_process.h"

namespace ganserve::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kModel[] = "tests/fixtures/onnx/flat_mlp_op13.onnx";

struct Exit {
  int code;
  std::string out;  // stdout and stderr together
};

Exit RunToExit(const std::string& command) {
  FILE* pipe = popen(absl::StrCat("timeout 60 ", command, " 2>&1").c_str(), "r");
  std::string out;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// Runs ganserve serving the fixture as "faces" with this loader, until it
// exits: with a loader that works it would serve until signalled, so each
// case here must end on its own.
Exit RunGanserve(const std::string& loader) {
  return RunToExit(absl::StrCat(
      GANSERVE_PATH, " --address=127.0.0.1:0 --metrics_port=-1 --http_port=-1 --model faces=",
      SourcePath(kModel).string(), " --loader_binary='", loader, "'"));
}

fs::path WriteScript(const fs::path& dir, const std::string& name, const std::string& body,
                     fs::perms perms = fs::perms::owner_all) {
  const fs::path path = dir / name;
  std::ofstream(path) << body;
  fs::permissions(path, perms);
  return path;
}

TEST(LoaderBinaryFlag, ALoaderThatCannotRunStopsTheStartWithExitCode2NamingIt) {
  const fs::path dir = FreshTestDir("loader_flag_");
  const fs::path not_executable =
      WriteScript(dir, "ganserve-load", "#!/bin/sh\nexit 0\n", fs::perms::owner_read);
  for (const fs::path& loader : {dir / "missing", not_executable, dir}) {
    const Exit run = RunGanserve(loader.string());
    EXPECT_EQ(run.code, 2) << loader << ":\n" << run.out;
    EXPECT_THAT(run.out, HasSubstr(absl::StrCat(
                             "ganserve: the model loader ganserve-load is not an executable file "
                             "at ",
                             loader.string(), "; it parses every model file")))
        << loader;
    EXPECT_THAT(run.out, Not(HasSubstr("listening"))) << loader;
  }
}

TEST(LoaderBinaryFlag, ALoaderThatMisbehavesFailsTheLoadNamingTheFileAndTheReason) {
  const fs::path dir = FreshTestDir("loader_flag_");
  const std::string model = SourcePath(kModel).string();
  struct Case {
    std::string script;
    std::string reason;
    std::string says;
  };
  const Case cases[] = {
      {"#!/bin/sh\nprintf 'GSLM not a model at all'\n", "loader_bad_answer",
       "the loader's answer is bad"},
      {"#!/bin/sh\nexit 0\n", "loader_bad_answer", "the loader's answer is bad"},
      {"#!/bin/sh\nkill -SEGV $$\n", "loader_crashed", "the loader crashed with signal 11"},
      {"#!/bin/sh\necho 'noise'; echo 'not my kind of file' >&2; exit 1\n", "refused",
       "not my kind of file"},
      {"#!/nonexistent/interpreter\n", "loader_unavailable", ""},
  };
  int i = 0;
  for (const Case& c : cases) {
    const fs::path loader = WriteScript(dir, absl::StrCat("loader", i++), c.script);
    const Exit run = RunGanserve(loader.string());
    EXPECT_EQ(run.code, 1) << c.script << run.out;
    const std::string event =
        absl::StrCat("model_load_failed model=faces reason=", c.reason, " error=\"", model, ": ");
    EXPECT_THAT(run.out, HasSubstr(event)) << c.script;
    EXPECT_THAT(run.out, HasSubstr(c.says)) << c.script;
    EXPECT_THAT(run.out, Not(HasSubstr("listening"))) << c.script;
  }
}

TEST(LoaderBinaryFlag, GanctlInspectAndRenderParseInTheLoaderBesideIt) {
  const fs::path dir = FreshTestDir("loader_flag_");
  const fs::path ganctl = dir / "ganctl";
  fs::copy_file(GANCTL_PATH, ganctl);
  WriteScript(dir, "ganserve-load", "#!/bin/sh\nkill -SEGV $$\n");
  const std::string model = SourcePath(kModel).string();
  for (const std::string& command :
       {absl::StrCat("inspect ", model),
        absl::StrCat("render ", model, " -n 1 --seed 1 --grid ", (dir / "g.png").string())}) {
    const Exit run = RunToExit(absl::StrCat(ganctl.string(), " ", command));
    EXPECT_EQ(run.code, 1) << command << ":\n" << run.out;
    EXPECT_THAT(run.out, HasSubstr(absl::StrCat(model, ": the loader crashed with signal 11")))
        << command;
  }
  EXPECT_FALSE(fs::exists(dir / "g.png"));
}

}  // namespace
}  // namespace ganserve::testing
