// A TCP proxy on loopback that hands each new connection to the next backend
// in turn, as a Kubernetes Service (kube-proxy) does: a client keeps the pod
// its connection reached until the connection ends.
#ifndef GANSERVE_TESTS_CLIENT_TCP_BALANCER_H_
#define GANSERVE_TESTS_CLIENT_TCP_BALANCER_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

namespace ganserve::testing {

class TcpBalancer {
 public:
  static absl::StatusOr<std::unique_ptr<TcpBalancer>> Start();
  ~TcpBalancer();

  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  // Connections accepted from now on also go to 127.0.0.1:`port`.
  void AddBackend(int port);
  int connections_accepted() const { return accepted_; }

 private:
  TcpBalancer() = default;
  void AcceptLoop();
  void Relay(int client_fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::mutex mu_;
  std::vector<int> backends_;
  std::vector<std::thread> relays_;
  std::thread acceptor_;
};

}  // namespace ganserve::testing

#endif  // GANSERVE_TESTS_CLIENT_TCP_BALANCER_H_
