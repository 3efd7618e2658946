// TLS, mutual TLS and bearer-token auth accept the right clients and refuse
// the rest; health stays open without a token. Certificates are made with
// openssl at test time.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "engine/file_contents.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "tests/server/http_client.h"
#include "tests/server/test_server.h"

namespace ganserve::testing {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& path) { return ReadFileContents(path).value_or(""); }

class Certificates : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("ganserve_tls_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const std::string d = dir_.string();
    const std::string script =
        "cd " + d +
        " && "
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 "
        "-subj /CN=test-ca 2>/dev/null && "
        "for who in server client; do "
        "openssl req -newkey rsa:2048 -nodes -keyout $who.key -out $who.csr -subj /CN=localhost "
        "2>/dev/null && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > $who.ext && "
        "openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $who.pem "
        "-days 1 -extfile $who.ext 2>/dev/null || exit 1; done";
    ok_ = std::system(script.c_str()) == 0;
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  void SetUp() override {
    if (!ok_) GTEST_SKIP() << "openssl could not make test certificates";
  }
  static std::shared_ptr<grpc::ChannelCredentials> Tls(bool with_client_cert) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Read(dir_ / "ca.pem");
    if (with_client_cert) {
      ssl.pem_private_key = Read(dir_ / "client.key");
      ssl.pem_cert_chain = Read(dir_ / "client.pem");
    }
    return grpc::SslCredentials(ssl);
  }
  static grpc::Status List(int port, std::shared_ptr<grpc::ChannelCredentials> credentials) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto channel =
        grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), credentials, args);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::ListModelsResponse response;
    return v1::Generator::NewStub(channel)->ListModels(&context, {}, &response);
  }
  static inline fs::path dir_;
  static inline bool ok_ = false;
};

TEST_F(Certificates, TlsAcceptsTrustingClientsAndRefusesPlaintext) {
  ServerOptions options = LoopbackOptions();
  options.tls = {(dir_ / "server.pem").string(), (dir_ / "server.key").string(), ""};
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(List(server->port(), Tls(false)).ok());
  EXPECT_EQ(List(server->port(), grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(Certificates, MutualTlsRequiresAClientCertificateFromTheCa) {
  ServerOptions options = LoopbackOptions();
  options.tls = {(dir_ / "server.pem").string(), (dir_ / "server.key").string(),
                 (dir_ / "ca.pem").string()};
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(List(server->port(), Tls(true)).ok());
  EXPECT_EQ(List(server->port(), Tls(false)).error_code(), grpc::StatusCode::UNAVAILABLE);
}

// The HTTP port takes the same certificates as gRPC.
TEST_F(Certificates, HttpPortServesTlsAndChecksClientCertificates) {
  ServerOptions options = LoopbackOptions();
  options.http_port = 0;
  options.tls = {(dir_ / "server.pem").string(), (dir_ / "server.key").string(),
                 (dir_ / "ca.pem").string()};
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  auto get = [&](bool client_cert) {
    httplib::SSLClient client("127.0.0.1", server->http_port(),
                              client_cert ? (dir_ / "client.pem").string() : std::string(),
                              client_cert ? (dir_ / "client.key").string() : std::string());
    client.set_ca_cert_path((dir_ / "ca.pem").string().c_str());
    client.enable_server_certificate_verification(true);
    client.set_connection_timeout(5);
    return ToAnswer(client.Get("/v1/models/cgan/images/1.png?label=0"));
  };
  const HttpAnswer trusted = get(true);
  EXPECT_EQ(trusted.status, 200) << trusted.body;
  EXPECT_EQ(get(false).status, 403);
  EXPECT_EQ(HttpGet(server->http_port(), "/v2/health/live").status, -1) << "no plaintext";

  options.tls.client_ca_path.clear();
  auto tls_only = StartServer(options);
  ASSERT_NE(tls_only, nullptr);
  httplib::SSLClient client("127.0.0.1", tls_only->http_port());
  client.set_ca_cert_path((dir_ / "ca.pem").string().c_str());
  client.enable_server_certificate_verification(true);
  EXPECT_EQ(ToAnswer(client.Get("/v2/health/live")).status, 200);
}

TEST(Auth, BearerTokenIsRequiredButHealthStaysOpen) {
  ServerOptions options = LoopbackOptions();
  options.service.auth_token = "s3cret";
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  auto stub = Stub(server->port());
  auto list = [&](const std::string& header) {
    grpc::ClientContext context;
    if (!header.empty()) context.AddMetadata("authorization", header);
    v1::ListModelsResponse response;
    return stub->ListModels(&context, {}, &response);
  };
  EXPECT_EQ(list("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(list("Bearer wrong").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(list("s3cret").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(list("Bearer s3cre").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(list("Bearer s3cret2").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(list("Basic s3cret").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(list("Bearer s3cret").ok());
  EXPECT_TRUE(list("bearer s3cret").ok()) << "the scheme is case-insensitive (RFC 7235)";
  EXPECT_TRUE(list("BEARER s3cret").ok());

  // Reflection cannot check the token, so it is not served at all.
  grpc::GenericStub generic(Connect(server->port()));
  grpc::ClientContext reflect_context;
  grpc::Slice no_bytes(std::string{});
  grpc::ByteBuffer empty(&no_bytes, 1), reply;
  std::promise<grpc::Status> reflected;
  generic.UnaryCall(&reflect_context,
                    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", {}, &empty,
                    &reply, [&](grpc::Status status) { reflected.set_value(status); });
  EXPECT_EQ(reflected.get_future().get().error_code(), grpc::StatusCode::UNIMPLEMENTED);

  auto health = grpc::health::v1::Health::NewStub(Connect(server->port()));
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse response;
  EXPECT_TRUE(health->Check(&context, {}, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace ganserve::testing
