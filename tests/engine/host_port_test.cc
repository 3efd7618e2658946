// SplitHostPort against the forms the flags and ganctl's --target take.
#include "engine/host_port.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ganserve {
namespace {

using ::testing::HasSubstr;

std::pair<std::string, std::string> Split(absl::string_view address) {
  absl::StatusOr<HostPort> split = SplitHostPort(address);
  EXPECT_TRUE(split.ok()) << address << ": " << split.status();
  if (!split.ok()) return {"?", "?"};
  return {split->host, split->port};
}

TEST(SplitHostPort, HostAndPort) {
  EXPECT_EQ(Split("127.0.0.1:50051"),
            std::make_pair(std::string("127.0.0.1"), std::string("50051")));
  EXPECT_EQ(Split("localhost:0"), std::make_pair(std::string("localhost"), std::string("0")));
  EXPECT_EQ(Split("0.0.0.0:65535"), std::make_pair(std::string("0.0.0.0"), std::string("65535")));
}

TEST(SplitHostPort, BracketedIpv6WithAndWithoutPort) {
  EXPECT_EQ(Split("[::1]:8080"), std::make_pair(std::string("::1"), std::string("8080")));
  EXPECT_EQ(Split("[fe80::1%eth0]:1"),
            std::make_pair(std::string("fe80::1%eth0"), std::string("1")));
  EXPECT_EQ(Split("[::]"), std::make_pair(std::string("::"), std::string("")));
}

TEST(SplitHostPort, BarePortBareHostAndBareIpv6) {
  EXPECT_EQ(Split(":9090"), std::make_pair(std::string(""), std::string("9090")));
  EXPECT_EQ(Split("example"), std::make_pair(std::string("example"), std::string("")));
  EXPECT_EQ(Split("::1"), std::make_pair(std::string("::1"), std::string("")));
  EXPECT_EQ(Split("2001:db8::7"), std::make_pair(std::string("2001:db8::7"), std::string("")));
}

TEST(SplitHostPort, BadInputIsRefusedNamingTheAddress) {
  for (const char* bad : {"", "[::1", "[::1]8080", "[::1]:", "host:", "host:http", "host:65536",
                          "host:-1", "host:123456", "[::1]:80x", "host: 80"}) {
    absl::StatusOr<HostPort> split = SplitHostPort(bad);
    EXPECT_EQ(split.status().code(), absl::StatusCode::kInvalidArgument) << "\"" << bad << "\"";
    EXPECT_THAT(split.status().message(), HasSubstr(std::string("\"") + bad + "\"")) << bad;
  }
}

}  // namespace
}  // namespace ganserve
