#include "tests/client/live_ganserve.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>

#include "absl/strings/str_cat.h"

namespace ganserve::testing {

absl::StatusOr<std::unique_ptr<LiveGanserve>> LiveGanserve::Start(
    const std::string& binary, const std::vector<std::string>& flags, absl::Duration timeout) {
  std::vector<std::string> args = {binary, "--address=127.0.0.1:0", "--metrics_port=-1",
                                   "--http_port=-1"};
  args.insert(args.end(), flags.begin(), flags.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe(fds) != 0) return absl::InternalError("pipe failed");
  std::unique_ptr<LiveGanserve> server(new LiveGanserve());
  server->pid_ = fork();
  if (server->pid_ < 0) return absl::InternalError("fork failed");
  if (server->pid_ == 0) {
    dup2(fds[1], STDERR_FILENO);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  server->reader_ = std::thread([s = server.get(), fd = fds[0]] { s->ReadLog(fd); });
  std::unique_lock<std::mutex> lock(server->mu_);
  const bool up = server->cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                                       [&] { return server->port_ != 0 || server->log_closed_; });
  if (!up || server->port_ == 0) {
    const std::string log = server->log_;
    lock.unlock();
    return absl::UnavailableError(absl::StrCat(
        binary, up ? " exited before listening" : " did not start in time", "; its log:\n", log));
  }
  return server;
}

void LiveGanserve::ReadLog(int fd) {
  static const std::regex kListening(R"(listening address=\S+ port=(\d+))");
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    log_.append(buffer, n);
    std::smatch match;
    if (port_ == 0 && std::regex_search(log_, match, kListening)) {
      static const std::regex kHttp(R"(listening .* http_port=(-?\d+))");
      if (std::smatch http; std::regex_search(log_, http, kHttp)) http_port_ = std::stoi(http[1]);
      port_ = std::stoi(match[1]);
      cv_.notify_all();
    }
  }
  close(fd);
  std::lock_guard<std::mutex> lock(mu_);
  log_closed_ = true;
  cv_.notify_all();
}

int LiveGanserve::Stop(int signal, absl::Duration grace) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(grace);
  int status = -1;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  return status;
}

void LiveGanserve::Kill() { Stop(SIGKILL, absl::Seconds(10)); }

int LiveGanserve::Terminate(absl::Duration grace) { return Stop(SIGTERM, grace); }

LiveGanserve::~LiveGanserve() { Stop(SIGTERM, absl::Seconds(10)); }

std::string LiveGanserve::log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

}  // namespace ganserve::testing
