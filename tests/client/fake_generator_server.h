// A stand-in ganserve on loopback for the client tests: a callback-API
// Generator service whose latency and errors the test controls, images
// computed from the latents (so tests can check what reached the server),
// a record of what came in (stream calls, latents, client connections), and
// gRPC's built-in health service.
#ifndef GANSERVE_TESTS_CLIENT_FAKE_GENERATOR_SERVER_H_
#define GANSERVE_TESTS_CLIENT_FAKE_GENERATOR_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ganserve/v1/generator.grpc.pb.h"
#include "grpcpp/server.h"

namespace ganserve::testing {

struct FakeOptions {
  // Latency for the n-th Generate call (0-based, in arrival order).
  std::function<absl::Duration(int64_t n, const ganserve::v1::GenerateRequest&)> latency;
  // Status for the n-th call; OK answers with images.
  std::function<grpc::Status(int64_t n)> status;
  // A refusal (non-OK status) of the n-th call carries grpc-retry-pushback-ms
  // of this many milliseconds when > 0.
  std::function<int64_t(int64_t n)> pushback_ms;
  int latent_size = 16;
  int height = 4, width = 4, channels = 1;  // height*width*channels <= latent_size
  std::vector<std::string> label_names;     // conditional when non-empty
  std::string required_token;               // non-empty: demand "Bearer <token>"
  int port = 0;                             // 0: any free port
};

class FakeGeneratorServer {
 public:
  static std::unique_ptr<FakeGeneratorServer> Start(FakeOptions options);
  ~FakeGeneratorServer();

  int port() const { return port_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  // Stops at once, failing the calls in flight, like a killed process.
  void Kill();
  int64_t received() const;      // Generate and GenerateStream calls
  int64_t stream_calls() const;  // GenerateStream calls only
  int64_t answered_ok() const;
  int64_t max_in_flight() const;
  // The explicit latents of the last call that sent some (flat, N x latent_size).
  std::vector<float> last_latents() const;
  // Generate and GenerateStream calls by client address (ip:port): one
  // entry per TCP connection.
  std::map<std::string, int64_t> calls_by_peer() const;

  class Impl;

 private:
  FakeGeneratorServer() = default;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// The fake's image for a latent: pixel i = ToUint8(latent[i], -3, 3).
std::vector<uint8_t> FakePixels(const std::vector<float>& latent, int pixel_count);

}  // namespace ganserve::testing

#endif  // GANSERVE_TESTS_CLIENT_FAKE_GENERATOR_SERVER_H_
