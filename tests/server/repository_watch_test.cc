// The repository as other teams change it, polled on demand: a removed
// folder is unloaded once its in-flight calls finish, folders the server
// must not guess about (two model files, symlinks out of the repository) are
// refused with one log line, and every error names its file once.
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/str_split.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/server/repository_files.h"
#include "tests/server/test_server.h"
#include "tests/server/worker_gate.h"

namespace ganserve::testing {
namespace {

namespace fs = std::filesystem;
using grpc::health::v1::HealthCheckResponse;

ServerOptions WatchedRepository(const fs::path& repo) {
  ServerOptions options = LoopbackOptions();  // poll_interval 0: the test polls
  options.registry.repository = repo.string();
  return options;
}

HealthCheckResponse::ServingStatus Health(int port, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(Connect(port));
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  if (!stub->Check(&context, request, &response).ok()) return HealthCheckResponse::UNKNOWN;
  return response.status();
}

grpc::Status Generate(int port, const std::string& model) {
  v1::GenerateRequest request;
  request.set_model(model);
  request.mutable_sampling()->set_count(2);
  grpc::ClientContext context;
  v1::GenerateResponse response;
  return Stub(port)->Generate(&context, request, &response);
}

size_t Occurrences(const std::string& text, const std::string& word) {
  size_t count = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++count;
  return count;
}

TEST(RepositoryWatch, RemovedFolderFinishesInFlightCallsThenIsNotFoundAndUnloaded) {
  const fs::path repo = NewRepository("ganserve_removed_");
  WriteFile(repo / "faces" / "g.onnx", "unconditional 11");
  WriteFile(repo / "other" / "g.onnx", "unconditional 12");
  WorkerGate gate(/*held=*/true);
  ServerOptions options = WatchedRepository(repo);
  options.registry.batcher.before_batch = gate.Hook();
  auto created = GanServer::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  GanServer& server = **created;
  const int port = server.port();
  std::weak_ptr<Servable> faces = *server.registry().Get("faces");

  grpc::Status in_flight[2];
  std::vector<std::thread> calls;
  for (grpc::Status& status : in_flight) {
    calls.emplace_back([&] { status = Generate(port, "faces"); });
  }
  gate.WaitForImages(4);  // both calls are with the workers, held

  fs::remove_all(repo / "faces");
  const std::string log = PollLog(server);
  EXPECT_EQ(LinesWith(log, "model_removed model=faces").size(), 1u) << log;
  EXPECT_EQ(Health(port, "faces"), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(port, "other"), HealthCheckResponse::SERVING);
  EXPECT_EQ(Generate(port, "faces").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_FALSE(faces.expired()) << "unloaded under its in-flight calls";

  gate.Release();
  for (auto& call : calls) call.join();
  for (const grpc::Status& status : in_flight) EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(WaitFor([&] { return faces.expired(); }));
  EXPECT_TRUE(Generate(port, "other").ok());
  EXPECT_EQ(server.registry().default_model(), "other");
  EXPECT_TRUE(PollLog(server).empty()) << "a removal is logged once";
  fs::remove_all(repo);
}

TEST(RepositoryWatch, FolderLosingItsModelFileIsRemovedAndComesBackWhenItReturns) {
  const fs::path repo = NewRepository("ganserve_emptied_");
  WriteFile(repo / "faces" / "g.onnx", "unconditional 11");
  auto created = GanServer::Create(WatchedRepository(repo));
  ASSERT_TRUE(created.ok()) << created.status();
  GanServer& server = **created;
  fs::remove(repo / "faces" / "g.onnx");
  EXPECT_EQ(LinesWith(PollLog(server), "model_removed model=faces").size(), 1u);
  EXPECT_EQ(Generate(server.port(), "faces").error_code(), grpc::StatusCode::NOT_FOUND);

  WriteFile(repo / "faces" / "g.onnx", "unconditional 11");
  EXPECT_EQ(LinesWith(PollLog(server), "model_serving model=faces").size(), 1u);
  EXPECT_EQ(Health(server.port(), "faces"), HealthCheckResponse::SERVING);
  EXPECT_TRUE(Generate(server.port(), "faces").ok());
  fs::remove_all(repo);
}

TEST(RepositoryWatch, NamedModelsStayWhenTheirFileGoes) {
  const fs::path repo = NewRepository("ganserve_named_");
  WriteFile(repo / "named" / "g.onnx", "unconditional 11");
  ServerOptions options = LoopbackOptions();
  options.registry.models.push_back({"named", (repo / "named" / "g.onnx").string(), ""});
  auto created = GanServer::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  fs::remove_all(repo / "named");
  const std::string log = PollLog(**created);
  EXPECT_TRUE(LinesWith(log, "model_removed").empty()) << log;
  EXPECT_TRUE(Generate((*created)->port(), "named").ok());
  fs::remove_all(repo);
}

TEST(RepositoryWatch, TwoModelFilesInAFolderAreRefusedNamingBoth) {
  const fs::path repo = NewRepository("ganserve_two_files_");
  WriteFile(repo / "faces" / "generator.keras", "unconditional 11");
  WriteFile(repo / "faces" / "generator.h5", "broken");
  auto refused = GanServer::Create(WatchedRepository(repo));
  ASSERT_FALSE(refused.ok());
  const std::string message(refused.status().message());
  EXPECT_NE(message.find("generator.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("generator.keras"), std::string::npos) << message;
  EXPECT_EQ(Occurrences(message, (repo / "faces").string()), 1u) << message;

  // Live: the second file appears beside a serving model, which keeps serving.
  fs::remove(repo / "faces" / "generator.h5");
  auto created = GanServer::Create(WatchedRepository(repo));
  ASSERT_TRUE(created.ok()) << created.status();
  GanServer& server = **created;
  WriteFile(repo / "faces" / "generator.h5", "broken");
  const std::vector<std::string> lines = LinesWith(PollLog(server), "model_load_failed");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("model=faces"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("generator.h5, generator.keras"), std::string::npos) << lines[0];
  EXPECT_TRUE(PollLog(server).empty()) << "a refusal is logged once, not every poll";
  EXPECT_TRUE(Generate(server.port(), "faces").ok());
  EXPECT_EQ((*server.registry().Get("faces"))->version, "1");

  fs::remove(repo / "faces" / "generator.h5");
  EXPECT_EQ(LinesWith(PollLog(server), "model_serving model=faces version=2").size(), 1u);
  fs::remove_all(repo);
}

TEST(RepositoryWatch, SymlinksLeavingTheRepositoryAreRefusedAndInsideOnesServe) {
  const fs::path repo = NewRepository("ganserve_links_");
  const fs::path outside = NewRepository("ganserve_outside_");
  WriteFile(repo / "faces" / "g.onnx", "unconditional 11");
  WriteFile(outside / "folder" / "g.onnx", "unconditional 12");
  auto created = GanServer::Create(WatchedRepository(repo));
  ASSERT_TRUE(created.ok()) << created.status();
  GanServer& server = **created;

  fs::create_directory_symlink(outside / "folder", repo / "linked_folder");
  fs::create_directories(repo / "linked_file");
  fs::create_symlink(outside / "folder" / "g.onnx", repo / "linked_file" / "g.onnx");
  fs::create_directories(repo / "inside");
  fs::create_symlink(repo / "faces" / "g.onnx", repo / "inside" / "g.onnx");
  const std::string log = PollLog(server);
  for (const std::string name : {"linked_folder", "linked_file"}) {
    const std::vector<std::string> lines = LinesWith(log, "model=" + name + " ");
    ASSERT_EQ(lines.size(), 1u) << log;
    EXPECT_NE(lines[0].find("model_load_failed"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("outside the repository"), std::string::npos) << lines[0];
    EXPECT_EQ(Generate(server.port(), name).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_TRUE(Generate(server.port(), "inside").ok()) << log;
  fs::remove_all(repo);
  fs::remove_all(outside);
}

// The real loaders on files that are not models: the log line and the
// startup error name the file exactly once.
TEST(RepositoryWatch, BrokenFilesAreNamedOnceInTheLogAndTheError) {
  for (const auto& [file, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"g.keras", std::string("PK\x03\x04 not really a zip", 24)},
           {"g.h5", "\x89HDF\r\n\x1a\n truncated"},
           {"g.onnx", "\x08\x07\x12\x04junk"}}) {
    const fs::path repo = NewRepository("ganserve_named_once_");
    const fs::path path = repo / "broken" / file;
    WriteFile(path, bytes);
    ServerOptions options = WatchedRepository(repo);
    options.registry.load.loader = nullptr;
    ::testing::internal::CaptureStderr();
    auto refused = GanServer::Create(options);
    const std::string log = ::testing::internal::GetCapturedStderr();
    ASSERT_FALSE(refused.ok()) << file;
    EXPECT_EQ(Occurrences(std::string(refused.status().message()), path.string()), 1u)
        << refused.status();
    const std::vector<std::string> lines = LinesWith(log, "model_load_failed");
    ASSERT_EQ(lines.size(), 1u) << log;
    EXPECT_EQ(Occurrences(lines[0], path.string()), 1u) << lines[0];
    fs::remove_all(repo);
  }
}

}  // namespace
}  // namespace ganserve::testing
