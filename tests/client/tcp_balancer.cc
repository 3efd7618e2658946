#include "tests/client/tcp_balancer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ganserve::testing {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

// Copies what `from` has to `to`; false once `from` is closed or either fails.
bool Pump(int from, int to) {
  char buffer[16384];
  const ssize_t n = read(from, buffer, sizeof buffer);
  if (n <= 0) return false;
  for (ssize_t sent = 0; sent < n;) {
    const ssize_t w = write(to, buffer + sent, n - sent);
    if (w <= 0) return false;
    sent += w;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TcpBalancer>> TcpBalancer::Start() {
  std::unique_ptr<TcpBalancer> balancer(new TcpBalancer());
  balancer->listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = Loopback(0);
  socklen_t length = sizeof address;
  if (balancer->listen_fd_ < 0 ||
      bind(balancer->listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(balancer->listen_fd_, 64) != 0 ||
      getsockname(balancer->listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return absl::InternalError("the balancer cannot listen on loopback");
  }
  balancer->port_ = ntohs(address.sin_port);
  balancer->acceptor_ = std::thread([b = balancer.get()] { b->AcceptLoop(); });
  return balancer;
}

void TcpBalancer::AddBackend(int port) {
  std::lock_guard<std::mutex> lock(mu_);
  backends_.push_back(port);
}

void TcpBalancer::AcceptLoop() {
  while (!stop_) {
    pollfd listening{listen_fd_, POLLIN, 0};
    if (poll(&listening, 1, 50) <= 0) continue;
    const int client_fd = accept(listen_fd_, nullptr, nullptr);
    if (client_fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    relays_.emplace_back([this, client_fd] { Relay(client_fd); });
  }
}

void TcpBalancer::Relay(int client_fd) {
  int backend_port = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!backends_.empty()) backend_port = backends_[accepted_ % backends_.size()];
    ++accepted_;
  }
  const int backend_fd = socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in address = Loopback(backend_port);
  if (backend_port != 0 &&
      connect(backend_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    pollfd fds[2] = {{client_fd, POLLIN, 0}, {backend_fd, POLLIN, 0}};
    bool open = true;
    while (open && !stop_) {
      if (poll(fds, 2, 50) <= 0) continue;
      if (fds[0].revents) open = Pump(client_fd, backend_fd);
      if (open && fds[1].revents) open = Pump(backend_fd, client_fd);
    }
  }
  close(backend_fd);
  close(client_fd);
}

TcpBalancer::~TcpBalancer() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  for (std::thread& relay : relays_) relay.join();
  close(listen_fd_);
}

}  // namespace ganserve::testing
