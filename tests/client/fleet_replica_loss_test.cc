// Losing replicas under load: `ganctl bench` over three real ganserve
// processes while one is SIGKILLed and another SIGTERMed fails no call (the
// service config retries UNAVAILABLE and health checking steers calls off a
// draining replica), keeps answering every second, and picks the killed
// replica back up once it restarts on its port.

#include <chrono>
#include <regex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "client/connection.h"
#include "client/service_config.h"
#include "gtest/gtest.h"
#include "tests/client/fleet_replicas.h"
#include "tests/client/ganctl_process.h"

namespace ganserve::testing {
namespace {

using Clock = std::chrono::steady_clock;

// The "ok" counts of the report's per_second list.
std::vector<int64_t> OkPerSecond(const std::string& report) {
  static const std::regex kSecond(R"(\{"ok": (\d+), "errors": \d+, "images": \d+\})");
  std::vector<int64_t> ok;
  for (auto it = std::sregex_iterator(report.begin(), report.end(), kSecond);
       it != std::sregex_iterator(); ++it) {
    ok.push_back(std::stoll((*it)[1]));
  }
  return ok;
}

TEST(FleetReplicaLoss, KillingOneReplicaAndDrainingAnotherFailsNoCallAndTheRestartIsPickedUp) {
  auto a = StartReplica({}), b = StartReplica({}), c = StartReplica({});
  ASSERT_TRUE(a && b && c);
  const int a_port = a->port();
  const std::string targets = absl::StrCat(a->target(), ",", b->target(), ",", c->target());
  std::string report;
  std::thread bench([&] {
    report = Ganctl(absl::StrCat("bench --target ", targets,
                                 " -c 16 -b 1 -d 16s --progress off --format json"))
                 .out;
  });
  const auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const int64_t a_before = ImagesGenerated(a->target());
  a->Kill();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const int64_t b_before = ImagesGenerated(b->target());
  std::thread drain([&] { b->Terminate(absl::Seconds(20)); });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  a = StartReplica({}, a_port);
  ASSERT_NE(a, nullptr);
  const auto restarted = Clock::now();
  double pickup_s = -1;
  while (pickup_s < 0 && Clock::now() - restarted < std::chrono::seconds(8)) {
    if (ImagesGenerated(a->target()) > 0)
      pickup_s = std::chrono::duration<double>(Clock::now() - restarted).count();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  drain.join();
  bench.join();
  std::cout << "replica a made " << a_before << " images before SIGKILL at 3 s, b " << b_before
            << " before SIGTERM at 5 s; a restarted at "
            << std::chrono::duration<double>(restarted - start).count() << " s got its first call "
            << pickup_s << " s after listening; restarted a made " << ImagesGenerated(a->target())
            << ", c " << ImagesGenerated(c->target()) << "\n"
            << report;
  EXPECT_GT(a_before, 0);
  EXPECT_GT(b_before, 0);
  EXPECT_EQ(BenchErrors(report), 0) << report;
  EXPECT_GE(pickup_s, 0) << "the restarted replica got no call within 8 s";
  const std::vector<int64_t> ok = OkPerSecond(report);
  ASSERT_GE(ok.size(), 15u) << report;
  for (size_t s = 0; s + 1 < ok.size(); ++s)
    EXPECT_GT(ok[s], 0) << "no call answered in second " << s;
}

std::string WithoutSpace(std::string text) {
  text.erase(std::remove_if(text.begin(), text.end(), ::isspace), text.end());
  return text;
}

// The JSON block README.md gives other clients is what ganctl runs, and gRPC
// accepts it (a channel with an invalid default config never connects).
TEST(FleetServiceConfig, GanctlRunsTheConfigTheReadmeShows) {
  const std::string readme = ReadFile(SourcePath("README.md"));
  const size_t intro = readme.find("ganctl and the Python client run every channel with this gRPC service config");
  ASSERT_NE(intro, std::string::npos);
  const size_t open = readme.find("```json\n", intro);
  const size_t close = readme.find("```", open + 7);
  ASSERT_TRUE(open != std::string::npos && close != std::string::npos);
  EXPECT_EQ(WithoutSpace(readme.substr(open + 7, close - open - 7)),
            WithoutSpace(client::ServiceConfigJson(true)));

  auto replica = StartReplica({});
  ASSERT_NE(replica, nullptr);
  for (const std::string& target :
       {replica->target() + "," + replica->target(), replica->target()}) {
    client::ConnectionOptions options;
    options.target = target;
    auto connection = client::Connection::Open(options);
    ASSERT_TRUE(connection.ok()) << connection.status();
    auto channel = (*connection)->NewChannel(0);
    ASSERT_TRUE(
        channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10)))
        << target;
    EXPECT_EQ(WithoutSpace(channel->GetServiceConfigJSON()),
              WithoutSpace(client::ServiceConfigJson((*connection)->target().round_robin)))
        << target;
  }
}

}  // namespace
}  // namespace ganserve::testing
