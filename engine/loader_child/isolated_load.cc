#include "engine/loader_child/isolated_load.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/loader_child/loader_protocol.h"
#include "engine/loader_child/loader_sandbox.h"
#include "engine/one_line.h"
#include "engine/status_context.h"
#include "engine/wire/model_codec.h"

extern char** environ;

namespace ganserve {
namespace {

constexpr char kReasonPayload[] = "ganserve/load_failure_reason";

absl::Status Tagged(absl::Status status, absl::string_view reason) {
  status.SetPayload(kReasonPayload, absl::Cord(reason));
  return status;
}

struct ChildOutput {
  std::string answer;
  std::string error;
  bool timed_out = false;
  bool answer_too_large = false;
};

// Enough for any refusal message; the front of a flood is read and dropped.
constexpr size_t kMaxErrorBytes = 64 << 10;

// Reads both pipes until the child closes them, the deadline passes, or the
// answer outgrows max_answer_bytes: the parent is the serving process, so a
// child that writes without end must not make it grow without end.
ChildOutput Collect(int out_fd, int err_fd, absl::Time deadline, size_t max_answer_bytes) {
  ChildOutput output;
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  char buffer[1 << 16];
  while (open_fds > 0) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      output.timed_out = true;
      break;
    }
    const int ready = poll(fds, 2, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      if (i == 1) {  // the refusal is the last line: keep the tail
        output.error.append(buffer, static_cast<size_t>(n));
        if (output.error.size() > kMaxErrorBytes) {
          output.error.erase(0, output.error.size() - kMaxErrorBytes);
        }
        continue;
      }
      if (static_cast<size_t>(n) > max_answer_bytes - output.answer.size()) {
        output.answer_too_large = true;
        return output;
      }
      output.answer.append(buffer, static_cast<size_t>(n));
    }
  }
  return output;
}

// Longest refusal passed on; a longer one is cut.
constexpr size_t kMaxReasonBytes = 2048;

// The child's refusal is its last line; whatever a library printed before it
// is not the user's business, and control bytes stay out of the log.
std::string LastLine(absl::string_view error) {
  error = absl::StripTrailingAsciiWhitespace(error);
  const size_t start = error.rfind('\n');
  if (start != absl::string_view::npos) error.remove_prefix(start + 1);
  return OneLine(error.substr(0, kMaxReasonBytes));
}

absl::Status ExitStatus(int wait_status, const ChildOutput& output, const LoaderLimits& limits) {
  if (output.timed_out) {
    return Tagged(absl::DeadlineExceededError(absl::StrCat("the loader timed out after ",
                                                           absl::FormatDuration(limits.timeout))),
                  "loader_timeout");
  }
  if (output.answer_too_large) {
    return Tagged(
        absl::ResourceExhaustedError(absl::StrCat(
            "the loader's answer exceeds its memory limit of ", limits.max_memory_mb, " MB")),
        "loader_memory_limit");
  }
  if (WIFSIGNALED(wait_status)) {
    const int signal_number = WTERMSIG(wait_status);
    if (signal_number == SIGXCPU) {
      return Tagged(absl::ResourceExhaustedError(absl::StrCat(
                        "the loader exceeded its CPU limit of ", limits.max_cpu_seconds, " s")),
                    "loader_cpu_limit");
    }
    return Tagged(absl::InternalError(absl::StrCat("the loader crashed with signal ", signal_number,
                                                   " (", strsignal(signal_number), ")")),
                  "loader_crashed");
  }
  const int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  if (code == kLoaderExitMemoryLimit) {
    return Tagged(absl::ResourceExhaustedError(absl::StrCat(
                      "the loader ran out of its memory limit of ", limits.max_memory_mb, " MB")),
                  "loader_memory_limit");
  }
  if (code == kLoaderExitForbiddenSyscall) {
    int number = -1;
    const std::string line = LastLine(output.error);
    if (absl::StartsWith(line, kForbiddenSyscallLine)) {
      (void)absl::SimpleAtoi(absl::string_view(line).substr(strlen(kForbiddenSyscallLine)),
                             &number);
    }
    return Tagged(absl::PermissionDeniedError(absl::StrCat(
                      "the loader made a forbidden system call, ", SyscallName(number),
                      ", and was stopped: it may only read the model file and write its answer")),
                  "loader_forbidden_syscall");
  }
  if (code != kLoaderExitAnswered) {
    const std::string reason = LastLine(output.error);
    return absl::InvalidArgumentError(
        reason.empty() ? absl::StrCat("the loader exited with status ", code) : reason);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LoadedModel> LoadModelIsolated(const std::string& loader_binary,
                                              const std::string& model_path,
                                              const LoaderLimits& limits) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return absl::InternalError("pipe2 failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return absl::InternalError("pipe2 failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  const std::string memory = absl::StrCat(limits.max_memory_mb);
  const std::string cpu = absl::StrCat(limits.max_cpu_seconds);
  std::vector<char*> argv = {const_cast<char*>(loader_binary.c_str()),
                             const_cast<char*>(memory.c_str()), const_cast<char*>(cpu.c_str()),
                             const_cast<char*>(model_path.c_str()), nullptr};
  pid_t pid = 0;
  const int spawned =
      posix_spawn(&pid, loader_binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return Tagged(
        absl::FailedPreconditionError(absl::StrCat(model_path, ": cannot start the loader ",
                                                   loader_binary, ": ", strerror(spawned))),
        "loader_unavailable");
  }
  const ChildOutput output =
      Collect(out_pipe[0], err_pipe[0], absl::Now() + limits.timeout, limits.max_memory_mb << 20);
  close(out_pipe[0]);
  close(err_pipe[0]);
  if (output.timed_out || output.answer_too_large) kill(pid, SIGKILL);
  int wait_status = 0;
  while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  const absl::Status exit_status = ExitStatus(wait_status, output, limits);
  // The loader's own refusal may name the file already; the parent's words never do.
  if (!exit_status.ok()) {
    return LoadFailureReason(exit_status) == "refused" ? WithFile(model_path, exit_status)
                                                       : WithPrefix(model_path, exit_status);
  }
  auto model = DecodeLoadedModel(output.answer);
  if (!model.ok()) {
    // The decoder quotes the answer's own bytes, which a hostile child picks.
    return Tagged(absl::InternalError(absl::StrCat(model_path, ": the loader's answer is bad: ",
                                                   OneLine(model.status().message()))),
                  "loader_bad_answer");
  }
  return model;
}

std::string LoadFailureReason(const absl::Status& status) {
  const auto reason = status.GetPayload(kReasonPayload);
  return reason ? std::string(*reason) : "refused";
}

}  // namespace ganserve
