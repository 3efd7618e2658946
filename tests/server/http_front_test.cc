// The HTTP front under connections that say nothing, bodies that are too
// large and addresses it must not bind beyond; the OIP health paths.
#include <dirent.h>

#include <algorithm>

#include "gtest/gtest.h"
#include "tests/server/http_client.h"
#include "tests/server/test_server.h"

namespace ganserve::testing {
namespace {

// Entries of a /proc/self folder: threads in task/, descriptors in fd/.
int EntriesIn(const char* folder) {
  int entries = 0;
  if (DIR* dir = opendir(folder)) {
    while (dirent* entry = readdir(dir)) entries += entry->d_name[0] != '.';
    closedir(dir);
  }
  return entries;
}

int ThreadCount() { return EntriesIn("/proc/self/task"); }
int OpenFds() { return EntriesIn("/proc/self/fd"); }

ServerOptions WithHttp() {
  ServerOptions options = LoopbackOptions();
  options.metrics_port = 0;
  options.http_port = 0;
  return options;
}

TEST(HttpFront, AThousandIdleConnectionsNeitherBlindTheMetricsPortNorAddThreads) {
  auto server = StartServer(WithHttp());
  ASSERT_NE(server, nullptr);
  grpc::ClientContext context;
  v1::ListModelsResponse listed;
  ASSERT_TRUE(Stub(server->port())->ListModels(&context, {}, &listed).ok());
  const int threads_before = ThreadCount();
  std::vector<int> idle = IdleConnections(server->metrics_port(), 1000);
  std::vector<int> idle_http = IdleConnections(server->http_port(), 1000);
  EXPECT_EQ(std::count(idle.begin(), idle.end(), -1), 0);
  EXPECT_EQ(std::count(idle_http.begin(), idle_http.end(), -1), 0);
  const HttpAnswer metrics = HttpGet(server->metrics_port(), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("ganserve_requests_total{model=\"-\",code=\"OK\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_EQ(HttpGet(server->http_port(), "/v2/health/live").status, 200);
  // gRPC's own pollers come and go; a thread per connection would add 2,000.
  EXPECT_LE(ThreadCount(), threads_before + 4) << "connections must not get threads of their own";
  CloseAll(idle);
  CloseAll(idle_http);
}

TEST(HttpFront, BindsToTheGrpcHostUnlessToldOtherwise) {
  ServerOptions options = WithHttp();
  options.address = "127.0.0.2:0";  // all of 127/8 is loopback: 127.0.0.1 is another address
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  for (int port : {server->metrics_port(), server->http_port()}) {
    EXPECT_EQ(IdleConnections(port, 1, "127.0.0.2")[0] >= 0, true) << port;
    EXPECT_EQ(IdleConnections(port, 1, "127.0.0.1")[0], -1) << port;
  }
  options.metrics_host = "127.0.0.1";
  auto told = StartServer(options);
  ASSERT_NE(told, nullptr);
  EXPECT_EQ(HttpGet(told->metrics_port(), "/metrics").status, 200);
}

TEST(HttpFront, OversizedBodiesGet413AndTheServerGoesOn) {
  ServerOptions options = WithHttp();
  options.max_receive_message_bytes = 1000;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  const HttpAnswer big =
      HttpPost(server->http_port(), "/v2/models/cgan/infer", std::string(5000, '{'));
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.body.find("\"error\""), std::string::npos) << big.body;
  EXPECT_EQ(HttpGet(server->http_port(), "/v2/health/live").status, 200);
}

// A chunked body has no Content-Length to refuse it by up front: it must
// still get its 413 when it ends, not wait out the idle timeout.
TEST(HttpFront, AChunkedBodyOverTheLimitGets413AtItsEnd) {
  ServerOptions options = WithHttp();
  options.max_receive_message_bytes = 1000;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  auto client = HttpClient(server->http_port());
  const std::string chunk(700, '[');
  int sent = 0;
  const auto start = std::chrono::steady_clock::now();
  const HttpAnswer big = ToAnswer(client.Post(
      "/v2/models/cgan/infer",
      [&](size_t, httplib::DataSink& sink) {
        if (sent++ < 8) return sink.write(chunk.data(), chunk.size());
        sink.done();
        return true;
      },
      "application/json"));
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.body.find("exceeds 1000 bytes"), std::string::npos) << big.body;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  const HttpAnswer small = ToAnswer(client.Post(
      "/v2/models/cgan/infer",
      [&](size_t, httplib::DataSink& sink) {
        sink.write("{}", 2);
        sink.done();
        return true;
      },
      "application/json"));
  EXPECT_EQ(small.status, 400) << small.body;  // under the limit: read and judged
  EXPECT_EQ(HttpGet(server->http_port(), "/v2/health/live").status, 200);
}

// A drained server must give its HTTP port back: nothing listens on it, and
// no descriptor of it is left open in the process.
TEST(HttpFront, DrainClosesTheListeningSocket) {
  StartServer(WithHttp()).reset();  // gRPC's process-wide descriptors open once, here
  const int fds_before = OpenFds();
  {
    auto server = StartServer(WithHttp());
    ASSERT_NE(server, nullptr);
    const int port = server->http_port();
    EXPECT_EQ(HttpGet(port, "/v2/health/live").status, 200);
    ASSERT_TRUE(server->Drain(std::chrono::seconds(5)));
    EXPECT_EQ(IdleConnections(port, 1)[0], -1) << "port " << port << " still accepts";
  }
  EXPECT_LE(OpenFds(), fds_before);
}

TEST(HttpHealth, LiveReadyAndModelReadyPerTheProtocol) {
  auto server = StartServer(WithHttp());
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();
  EXPECT_EQ(HttpGet(port, "/v2/health/live").body, R"({"live":true})");
  EXPECT_EQ(HttpGet(port, "/v2/health/ready").status, 200);
  EXPECT_EQ(HttpGet(port, "/v2/models/gan/ready").status, 200);
  EXPECT_EQ(HttpGet(port, "/v2/models/cgan/versions/1/ready").status, 200);
  EXPECT_EQ(HttpGet(port, "/v2/models/cgan/versions/7/ready").status, 404);
  const HttpAnswer unknown = HttpGet(port, "/v2/models/nope/ready");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("no model named \\\"nope\\\""), std::string::npos) << unknown.body;
  EXPECT_EQ(HttpGet(port, "/no/such/path").status, 404);
  const HttpAnswer post = HttpPost(port, "/v2/health/live", "");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.Header("Allow"), "GET, HEAD");
  EXPECT_TRUE(server->Drain(std::chrono::seconds(5)));
}

}  // namespace
}  // namespace ganserve::testing
