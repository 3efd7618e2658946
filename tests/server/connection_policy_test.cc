// The connection rules a fleet relies on: a port of one's own, a cap on
// streams per connection, and keepalive pings refused when too frequent.
#include "server/connection_policy.h"

#include <future>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/test_server.h"
#include "tests/server/worker_gate.h"

namespace ganserve::testing {
namespace {

using ::testing::HasSubstr;

v1::GenerateRequest OneImage() {
  v1::GenerateRequest request;
  request.set_model("gan");
  request.mutable_sampling()->set_count(1);
  return request;
}

TEST(ConnectionPolicy, ASecondServerOnABusyPortFailsSayingSoAndTheFirstKeepsServing) {
  auto first = StartServer();
  ASSERT_NE(first, nullptr);
  ServerOptions options = LoopbackOptions();
  options.address = "127.0.0.1:" + std::to_string(first->port());
  auto second = GanServer::Create(std::move(options));
  ASSERT_FALSE(second.ok()) << "a second server shared port " << first->port();
  EXPECT_THAT(second.status().message(),
              HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(first->port()) +
                        ": Address already in use"));
  grpc::ClientContext context;
  v1::GenerateResponse response;
  EXPECT_TRUE(Stub(first->port())->Generate(&context, OneImage(), &response).ok());
}

TEST(ConnectionPolicy, WhyCannotBindIsEmptyForAFreePortAndNamesABusyOne) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(WhyCannotBind("127.0.0.1:0"), "");
  EXPECT_EQ(WhyCannotBind("127.0.0.1:" + std::to_string(server->port())), "Address already in use");
  EXPECT_EQ(WhyCannotBind("unix:/tmp/x.sock"), "");
}

TEST(ConnectionPolicy, CallsOverTheStreamCapWaitOnTheirConnectionNotOnOthers) {
  WorkerGate gate(/*held=*/true);
  ServerOptions options = LoopbackOptions();
  options.registry.batcher.workers = 1;
  options.registry.batcher.max_queue_delay = std::chrono::microseconds(0);
  options.registry.batcher.before_batch = gate.Hook();
  options.connections.max_concurrent_streams = 1;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  auto shared = Stub(server->port());
  auto call = [](v1::Generator::Stub& stub) {
    grpc::ClientContext context;
    v1::GenerateResponse response;
    return stub.Generate(&context, OneImage(), &response);
  };
  auto first = std::async(std::launch::async, [&] { return call(*shared); });
  gate.WaitForBatches(1);
  auto capped = std::async(std::launch::async, [&] { return call(*shared); });
  // A separate channel has its own connection and so its own allowance.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto other = v1::Generator::NewStub(grpc::CreateCustomChannel(
      "127.0.0.1:" + std::to_string(server->port()), grpc::InsecureChannelCredentials(), args));
  auto uncapped = std::async(std::launch::async, [&] { return call(*other); });
  ASSERT_TRUE(WaitFor([&] { return server->in_flight() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(server->in_flight(), 2) << "the second call on the shared connection got a stream";
  gate.Release();
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(capped.get().ok());
  EXPECT_TRUE(uncapped.get().ok());
}

// A client asking to ping every 100 ms with no calls (gRPC's client sends at
// most one a second): whether its connection is still up after `watch`.
bool PingingClientStaysConnected(std::chrono::milliseconds min_client_ping_interval,
                                 std::chrono::seconds watch) {
  ServerOptions options = LoopbackOptions();
  options.connections.min_client_ping_interval = min_client_ping_interval;
  auto server = StartServer(options);
  if (server == nullptr) return false;
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 100);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetInt(GRPC_ARG_HTTP2_MIN_SENT_PING_INTERVAL_WITHOUT_DATA_MS, 100);
  auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(server->port()),
                                           grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10)))
    return false;
  const auto until = std::chrono::steady_clock::now() + watch;
  while (std::chrono::steady_clock::now() < until) {
    if (channel->GetState(false) != GRPC_CHANNEL_READY) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// The server allows two early pings, then answers the third with GOAWAY.
TEST(ConnectionPolicy, KeepalivePingsFasterThanAllowedCostTheConnection) {
  EXPECT_TRUE(PingingClientStaysConnected(std::chrono::milliseconds(50), std::chrono::seconds(5)));
  EXPECT_FALSE(PingingClientStaysConnected(std::chrono::seconds(10), std::chrono::seconds(8)));
}

}  // namespace
}  // namespace ganserve::testing
