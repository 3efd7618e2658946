// The real ganserve binary as a child process on a loopback port, for tests
// that must exercise the actual server (batcher, engine, PNG encoding).
#ifndef GANSERVE_TESTS_CLIENT_LIVE_GANSERVE_H_
#define GANSERVE_TESTS_CLIENT_LIVE_GANSERVE_H_

#include <sys/types.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ganserve::testing {

class LiveGanserve {
 public:
  // Runs `binary --address 127.0.0.1:0 --metrics_port -1 --http_port -1 <flags>` and waits
  // until it logs the port it bound; fails with its log if it exits first.
  static absl::StatusOr<std::unique_ptr<LiveGanserve>> Start(const std::string& binary,
                                                             const std::vector<std::string>& flags,
                                                             absl::Duration timeout);
  ~LiveGanserve();  // SIGTERM, then SIGKILL if it has not exited in 10 s

  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  // The HTTP port it bound (pass --http_port=0 for one), -1 without.
  int http_port() const { return http_port_; }
  // SIGKILL: the server dies without draining, as in a crash.
  void Kill();
  // SIGTERM and wait up to `grace`; the waitpid status (SIGKILLed if it
  // outlived the grace).
  int Terminate(absl::Duration grace);
  std::string log() const;

 private:
  LiveGanserve() = default;
  void ReadLog(int fd);
  int Stop(int signal, absl::Duration grace);

  pid_t pid_ = -1;
  int port_ = 0;
  int http_port_ = -1;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string log_;
  bool log_closed_ = false;
};

}  // namespace ganserve::testing

#endif  // GANSERVE_TESTS_CLIENT_LIVE_GANSERVE_H_
