// ganctl's --tls_ca, --tls_cert/--tls_key and --token-file against the real
// ganserve binary with TLS, mTLS and a bearer token, certificates made by
// openssl for the run; and each refusal: wrong CA, no client certificate, a
// client certificate from another CA or expired, plaintext, a wrong token.

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/fleet_replicas.h"
#include "tests/client/ganctl_process.h"
#include "tests/client/test_certificates.h"

namespace ganserve::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class TlsEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("tls_");
    ASSERT_TRUE(MakeTestCertificates(dir_).ok()) << ReadFile(dir_ / "openssl.log");
    std::ofstream(dir_ / "token") << "s3cret-token\n";
    std::ofstream(dir_ / "wrong_token") << "not-the-token\n";
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  // `ganctl info` against the server, `flags` after the target.
  GanctlRun Info(const std::string& flags) const {
    return Ganctl(absl::StrCat("info --target localhost:", server_->port(), " ", flags));
  }
  // How often the server's log has said `text` so far.
  size_t ServerSaid(const std::string& text) const {
    const std::string log = server_->log();
    size_t n = 0;
    for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  }
  void Start(std::vector<std::string> flags) {
    server_ = StartReplica(flags);
    ASSERT_NE(server_, nullptr);
  }

  std::filesystem::path dir_;
  std::unique_ptr<LiveGanserve> server_;
};

TEST_F(TlsEndToEnd, TlsWithATokenAnswersOnlyTheRightCaAndToken) {
  Start({"--tls_cert=" + Path("server.pem"), "--tls_key=" + Path("server.key"),
         "--auth_token_file=" + Path("token")});
  const std::string ca = " --tls_ca " + Path("ca.pem");
  GanctlRun ok = Info(ca + " --token-file " + Path("token"));
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_THAT(ok.out, HasSubstr("live"));
  GanctlRun images =
      Ganctl(absl::StrCat("generate --target localhost:", server_->port(), ca, " --token-file ",
                          Path("token"), " -n 2 --label 1 -o ", Path("images/")));
  EXPECT_EQ(images.exit_code, 0) << images.out;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "images"));

  GanctlRun wrong_token = Info(ca + " --token-file " + Path("wrong_token"));
  EXPECT_NE(wrong_token.exit_code, 0);
  EXPECT_THAT(wrong_token.out, HasSubstr("Bearer"));
  GanctlRun no_token = Info(ca);
  EXPECT_NE(no_token.exit_code, 0);
  EXPECT_THAT(no_token.out, HasSubstr("Bearer"));
  GanctlRun wrong_ca = Info(" --tls_ca " + Path("other_ca.pem") + " --token-file " + Path("token"));
  EXPECT_NE(wrong_ca.exit_code, 0);
  EXPECT_THAT(wrong_ca.out, HasSubstr("certificate verify failed"));
  const size_t plaintext_before = ServerSaid("wrong version number");
  GanctlRun plaintext = Info("--token-file " + Path("token"));
  EXPECT_NE(plaintext.exit_code, 0);
  EXPECT_THAT(plaintext.out, Not(HasSubstr("live")));
  EXPECT_GT(ServerSaid("wrong version number"), plaintext_before) << server_->log();
  // Health stays open to probes that hold no token.
  GanctlRun health = Ganctl(absl::StrCat("health --target localhost:", server_->port(), ca));
  EXPECT_EQ(health.exit_code, 0) << health.out;
  EXPECT_THAT(health.out, HasSubstr("SERVING"));
}

TEST_F(TlsEndToEnd, MutualTlsAnswersOnlyAClientCertificateFromItsCaStillValid) {
  Start({"--tls_cert=" + Path("server.pem"), "--tls_key=" + Path("server.key"),
         "--tls_client_ca=" + Path("ca.pem")});
  const std::string ca = " --tls_ca " + Path("ca.pem");
  auto as = [&](const std::string& who) {
    return Info(
        absl::StrCat(ca, " --tls_cert ", Path(who + ".pem"), " --tls_key ", Path(who + ".key")));
  };
  GanctlRun ok = as("client");
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_THAT(ok.out, HasSubstr("live"));
  GanctlRun bench = Ganctl(absl::StrCat("bench --target localhost:", server_->port(), ca,
                                        " --tls_cert ", Path("client.pem"), " --tls_key ",
                                        Path("client.key"), " -c 2 -N 20 --format json"));
  EXPECT_EQ(bench.exit_code, 0) << bench.out;
  EXPECT_EQ(BenchErrors(bench.out), 0) << bench.out;

  // The server refuses in the handshake; its log says why, the client sees the socket close.
  for (const std::string& refused : {"stranger", "expired"}) {
    const size_t before = ServerSaid("certificate verify failed");
    GanctlRun run = as(refused);
    EXPECT_NE(run.exit_code, 0) << refused << ": " << run.out;
    EXPECT_THAT(run.out, Not(HasSubstr("live"))) << refused;
    EXPECT_GT(ServerSaid("certificate verify failed"), before) << refused << ": " << server_->log();
  }
  const size_t before = ServerSaid("peer did not return a certificate");
  GanctlRun no_client_cert = Info(ca);
  EXPECT_NE(no_client_cert.exit_code, 0) << no_client_cert.out;
  EXPECT_THAT(no_client_cert.out, Not(HasSubstr("live")));
  EXPECT_GT(ServerSaid("peer did not return a certificate"), before) << server_->log();
  // The server kept serving through the refused handshakes.
  EXPECT_EQ(as("client").exit_code, 0);
}

}  // namespace
}  // namespace ganserve::testing
