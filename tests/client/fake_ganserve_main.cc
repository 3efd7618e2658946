// fake_ganserve: the test fake as a process, for trying ganctl by hand and
// for watching ganctl bench report injected latency and errors.
//   fake_ganserve PORT [BASE_MS [TAIL_MS [TAIL_EVERY [ERROR_EVERY]]]]
// Every TAIL_EVERY-th call takes TAIL_MS instead of BASE_MS; every
// ERROR_EVERY-th call fails with RESOURCE_EXHAUSTED.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "tests/client/fake_generator_server.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: fake_ganserve PORT [BASE_MS [TAIL_MS [TAIL_EVERY [ERROR_EVERY]]]]\n";
    return 2;
  }
  const int base_ms = argc > 2 ? std::atoi(argv[2]) : 5;
  const int tail_ms = argc > 3 ? std::atoi(argv[3]) : base_ms;
  const int tail_every = argc > 4 ? std::max(1, std::atoi(argv[4])) : 1000000;
  const int error_every = argc > 5 ? std::atoi(argv[5]) : 0;
  ganserve::testing::FakeOptions options;
  options.port = std::atoi(argv[1]);
  options.latency = [=](int64_t n, const auto&) {
    return absl::Milliseconds(n % tail_every == tail_every - 1 ? tail_ms : base_ms);
  };
  options.status = [=](int64_t n) {
    return error_every > 0 && n % error_every == error_every - 1
               ? grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "queue full (fake)")
               : grpc::Status::OK;
  };
  auto server = ganserve::testing::FakeGeneratorServer::Start(options);
  if (!server) {
    std::cerr << "cannot listen on port " << argv[1] << "\n";
    return 1;
  }
  std::cerr << "fake ganserve on " << server->target() << "\n";
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int signal = 0;
  sigwait(&signals, &signal);
  return 0;
}
