// Starts an in-process ganserve on a loopback port for the integration
// tests and opens real gRPC channels to it.
#ifndef GANSERVE_TESTS_SERVER_TEST_SERVER_H_
#define GANSERVE_TESTS_SERVER_TEST_SERVER_H_

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "ganserve/v1/generator.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/server.h"
#include "tests/testing/test_models.h"

namespace ganserve::testing {

// Polls `done` (the server gives no event to wait on) for up to a minute.
inline bool WaitFor(const std::function<bool()>& done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

inline ServerOptions LoopbackOptions() {
  ServerOptions options;
  options.address = "127.0.0.1:0";
  options.registry.poll_interval = std::chrono::milliseconds(0);
  options.registry.load.loader = LoadTestModelFile;
  options.registry.batcher.max_queue_delay = std::chrono::microseconds(500);
  options.registry.batcher.workers = 2;
  return options;
}

// Batches that wait 400 ms for more work: calls stay in flight long enough
// for a test to drain the server under them.
inline ServerOptions LingeringBatchOptions() {
  ServerOptions options = LoopbackOptions();
  options.registry.batcher.max_batch = 64;
  options.registry.batcher.max_queue_delay = std::chrono::milliseconds(400);
  return options;
}

// A server with models "cgan" (conditional, default) and "gan" (unconditional).
inline std::unique_ptr<GanServer> StartServer(ServerOptions options = LoopbackOptions()) {
  auto server = GanServer::Create(std::move(options));
  if (!server.ok()) return nullptr;
  if (!(*server)->registry().AddGenerator("cgan", MakeGenerator(ConditionalModel(1))).ok() ||
      !(*server)->registry().AddGenerator("gan", MakeGenerator(UnconditionalModel(2))).ok()) {
    return nullptr;
  }
  return *std::move(server);
}

inline std::shared_ptr<grpc::Channel> Connect(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

inline std::unique_ptr<v1::Generator::Stub> Stub(int port) {
  return v1::Generator::NewStub(Connect(port));
}

// Calls a method with raw request bytes.
inline grpc::Status CallRaw(int port, const std::string& method, const std::string& bytes) {
  grpc::GenericStub stub(Connect(port));
  grpc::ClientContext context;
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, method, {}, &request, &response,
                 [&](grpc::Status status) { done.set_value(std::move(status)); });
  return done.get_future().get();
}

// The model's images_generated counter, through GetModel.
inline uint64_t ImagesGenerated(v1::Generator::Stub& stub, const std::string& model) {
  grpc::ClientContext context;
  v1::GetModelRequest get;
  get.set_name(model);
  v1::ModelInfo info;
  EXPECT_TRUE(stub.GetModel(&context, get, &info).ok());
  return info.images_generated();
}

}  // namespace ganserve::testing

#endif  // GANSERVE_TESTS_SERVER_TEST_SERVER_H_
