// The repository is re-scanned: a changed file is loaded beside the old
// version and swapped in with no failed call; a broken file leaves the old
// version serving.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/server/repository_files.h"
#include "tests/server/test_server.h"

namespace ganserve::testing {
namespace {

namespace fs = std::filesystem;

std::string Fetch(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  auto result = client.Get(path.c_str());
  return result ? result->body : "";
}

TEST(Reload, ChangedFileSwapsInUnderLoadAndBrokenFileKeepsTheOldVersion) {
  const fs::path repo = fs::temp_directory_path() / ("ganserve_repo_" + std::to_string(::getpid()));
  fs::remove_all(repo);
  fs::create_directories(repo / "faces");
  WriteFile(repo / "faces" / "g.onnx", "unconditional 11");
  std::ofstream(repo / "faces" / "model.json") << R"({"latent_distribution": "uniform"})";

  ServerOptions options = LoopbackOptions();
  options.registry.repository = repo.string();
  options.registry.poll_interval = std::chrono::milliseconds(50);
  options.metrics_port = 0;
  auto created = GanServer::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  GanServer& server = **created;
  auto stub = Stub(server.port());

  v1::GenerateRequest request;
  request.set_model("faces");
  request.mutable_sampling()->set_seed(5);
  request.mutable_sampling()->set_count(2);
  v1::GenerateResponse before;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub->Generate(&context, request, &before).ok());
    EXPECT_EQ(before.model_version(), "1");
  }

  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failures{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 3; ++t) {
    load.emplace_back([&] {
      while (!stop) {
        grpc::ClientContext context;
        v1::GenerateResponse response;
        (stub->Generate(&context, request, &response).ok() ? calls : failures)++;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  WriteFile(repo / "faces" / "g.onnx", "unconditional 12");
  std::string version;
  for (int i = 0; i < 200 && version != "2"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    grpc::ClientContext context;
    v1::GetModelRequest get;
    get.set_name("faces");
    v1::ModelInfo info;
    if (stub->GetModel(&context, get, &info).ok()) version = info.version();
  }
  EXPECT_EQ(version, "2");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  // A file that does not load: the new version keeps serving, the failure is counted.
  WriteFile(repo / "faces" / "g.onnx", "garbage");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& t : load) t.join();
  EXPECT_GT(calls, 10);
  EXPECT_EQ(failures, 0);

  grpc::ClientContext context;
  v1::GenerateResponse after;
  ASSERT_TRUE(stub->Generate(&context, request, &after).ok());
  EXPECT_EQ(after.model_version(), "2");
  EXPECT_NE(after.images(0).data(), before.images(0).data());
  // The new version is the seed-12 model with model.json's uniform latents.
  auto expected_server = StartServer();
  ASSERT_TRUE(expected_server->registry()
                  .AddGenerator("m", MakeGenerator(UnconditionalModel(12),
                                                   {.latent_distribution = Distribution::kUniform}))
                  .ok());
  request.set_model("m");
  grpc::ClientContext expected_context;
  v1::GenerateResponse expected;
  ASSERT_TRUE(Stub(expected_server->port())->Generate(&expected_context, request, &expected).ok());
  EXPECT_EQ(after.images(0).data(), expected.images(0).data());

  const std::string metrics = Fetch(server.metrics_port(), "/metrics");
  EXPECT_NE(
      metrics.find("ganserve_model_load_failures_total{model=\"faces\",reason=\"refused\"} 1"),
      std::string::npos)
      << metrics;
  fs::remove_all(repo);
}

TEST(Metrics, PrometheusTextCountsRequestsImagesAndBatches) {
  ServerOptions options = LoopbackOptions();
  options.metrics_port = 0;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  auto stub = Stub(server->port());
  v1::GenerateRequest request;
  request.set_model("gan");
  request.mutable_sampling()->set_count(3);
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    v1::GenerateResponse response;
    ASSERT_TRUE(stub->Generate(&context, request, &response).ok());
  }
  request.set_model("missing");
  grpc::ClientContext context;
  v1::GenerateResponse response;
  EXPECT_FALSE(stub->Generate(&context, request, &response).ok());

  const std::string text = Fetch(server->metrics_port(), "/metrics");
  for (const std::string line : {
           "ganserve_requests_total{model=\"gan\",code=\"OK\"} 2",
           "ganserve_requests_total{model=\"-\",code=\"NOT_FOUND\"} 1",
           "ganserve_images_generated_total{model=\"gan\"} 6",
           "ganserve_batch_size_images_count{model=\"gan\"} 2",
           "ganserve_batch_size_images_sum{model=\"gan\"} 6",
           "ganserve_request_duration_seconds_count{model=\"gan\"} 2",
           "ganserve_queue_duration_seconds_count{model=\"gan\"} 2",
           "ganserve_compute_duration_seconds_bucket{model=\"gan\",le=\"+Inf\"} 2",
           "ganserve_queue_depth{model=\"gan\"} 0",
           "# TYPE ganserve_batch_size_images histogram",
       }) {
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\nin:\n" << text;
  }
}

}  // namespace
}  // namespace ganserve::testing
