// What a model repository folder holds decides what is served: real files
// without model.json (range calibrated, shape inferred, both reported by
// GetModel).
#include <cstdlib>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "tests/server/repository_files.h"
#include "tests/server/test_server.h"

namespace ganserve::testing {
namespace {

namespace fs = std::filesystem;

void AddModel(const fs::path& repo, const std::string& name, const std::string& fixture,
              const std::string& file) {
  fs::create_directories(repo / name);
  fs::copy_file(SourceFixture(fixture), repo / name / file);
}

v1::ModelInfo Info(v1::Generator::Stub& stub, const std::string& model, grpc::Status* status) {
  grpc::ClientContext context;
  v1::GetModelRequest get;
  get.set_name(model);
  v1::ModelInfo info;
  *status = stub.GetModel(&context, get, &info);
  return info;
}

ServerOptions RepositoryOptions(const fs::path& repo) {
  ServerOptions options = LoopbackOptions();
  options.registry.load.loader = nullptr;  // the real loaders
  options.registry.repository = repo.string();
  return options;
}

TEST(Repository, ServesFilesWithoutModelJsonAndReportsWhatItWorkedOut) {
  const fs::path repo = NewRepository("ganserve_unbounded_");
  AddModel(repo, "leaky", "keras/tf28_dcgan_leaky_last.h5", "generator.h5");
  AddModel(repo, "mlp", "onnx/flat_mlp_op13.onnx", "generator.onnx");
  auto server = GanServer::Create(RepositoryOptions(repo));
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = Stub((*server)->port());
  grpc::Status status;
  const v1::ModelInfo leaky = Info(*stub, "leaky", &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(leaky.range_source(), "calibrated");
  EXPECT_EQ(leaky.value_min(), -1.0f);
  EXPECT_EQ(leaky.value_max(), 1.0f);
  EXPECT_EQ(leaky.shape_source(), "model");
  const v1::ModelInfo mlp = Info(*stub, "mlp", &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(mlp.shape_source(), "inferred");
  EXPECT_EQ(mlp.range_source(), "activation");
  EXPECT_EQ(mlp.output_height(), 64u);
  EXPECT_EQ(mlp.output_channels(), 3u);

  v1::GenerateRequest request;
  request.set_model("mlp");
  request.mutable_sampling()->set_count(2);
  grpc::ClientContext context;
  v1::GenerateResponse response;
  ASSERT_TRUE(stub->Generate(&context, request, &response).ok());
  EXPECT_EQ(response.images_size(), 2);
  fs::remove_all(repo);
}

}  // namespace
}  // namespace ganserve::testing
