// Connections in a fleet: behind a Service that balances per connection (as
// kube-proxy does), a long-running client reaches a replica that started
// after it connected only because the server ages its connections out; and a
// second ganserve on a busy port refuses to start instead of sharing it.

#include <chrono>
#include <regex>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/fleet_replicas.h"
#include "tests/client/ganctl_process.h"
#include "tests/client/live_ganserve.h"
#include "tests/client/tcp_balancer.h"

namespace ganserve::testing {
namespace {

using ::testing::HasSubstr;

struct Spread {
  int64_t first_replica = 0, late_replica = 0;
  double seconds_to_first_call = -1;  // from the late replica's start
  std::string bench_out;
};

// A closed-loop ganctl bench through the balancer; the second replica starts
// and joins the balancer two seconds in.
Spread RunWithLateReplica(const std::vector<std::string>& flags) {
  Spread spread;
  auto first = StartReplica(flags);
  auto balancer = TcpBalancer::Start();
  if (first == nullptr || !balancer.ok()) return spread;
  (*balancer)->AddBackend(first->port());
  std::thread bench([&] {
    spread.bench_out = Ganctl(absl::StrCat("bench --target ", (*balancer)->target(),
                                           " -c 2 -b 1 -d 12s --progress off --format json"))
                           .out;
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto late = StartReplica(flags);
  if (late != nullptr) {
    (*balancer)->AddBackend(late->port());
    const auto joined = std::chrono::steady_clock::now();
    while (spread.seconds_to_first_call < 0 &&
           std::chrono::steady_clock::now() - joined < std::chrono::seconds(10)) {
      if (ImagesGenerated(late->target()) > 0) {
        spread.seconds_to_first_call =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - joined).count();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  bench.join();
  spread.first_replica = ImagesGenerated(first->target());
  spread.late_replica = late ? ImagesGenerated(late->target()) : -1;
  std::cout << "images: first replica " << spread.first_replica << ", late replica "
            << spread.late_replica << ", late replica's first call " << spread.seconds_to_first_call
            << " s after it joined; balancer accepted " << (*balancer)->connections_accepted()
            << " connections\n";
  return spread;
}

TEST(FleetRebalance, AgedConnectionsCarryALongRunningClientToAReplicaThatStartedLater) {
  const Spread spread =
      RunWithLateReplica({"--max_connection_age_s=2", "--max_connection_age_grace_s=5"});
  EXPECT_EQ(BenchErrors(spread.bench_out), 0) << spread.bench_out;
  EXPECT_GT(spread.late_replica, 0) << spread.bench_out;
  EXPECT_GT(spread.first_replica, 0);
}

// The control: the same run without an age limit never reaches the new replica.
TEST(FleetRebalance, WithoutAConnectionAgeTheLateReplicaGetsNothing) {
  const Spread spread = RunWithLateReplica({"--max_connection_age_s=0"});
  EXPECT_EQ(BenchErrors(spread.bench_out), 0) << spread.bench_out;
  EXPECT_EQ(spread.late_replica, 0);
  EXPECT_GT(spread.first_replica, 0);
}

TEST(FleetPorts, ASecondGanserveOnABusyPortExitsNamingThePort) {
  auto first = StartReplica({});
  ASSERT_NE(first, nullptr);
  const std::string address = first->target();
  auto second = LiveGanserve::Start(
      GANSERVE_PATH, {"--address=" + address, "--model=live=" + FleetModel()}, absl::Seconds(120));
  ASSERT_FALSE(second.ok()) << "a second ganserve started on " << address;
  EXPECT_THAT(second.status().message(), HasSubstr("exited before listening"));
  EXPECT_THAT(second.status().message(),
              HasSubstr("cannot listen on " + address + ": Address already in use"));
  EXPECT_GE(ImagesGenerated(address), 0);  // the first still answers
}

}  // namespace
}  // namespace ganserve::testing
