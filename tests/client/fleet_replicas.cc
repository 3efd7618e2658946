#include "tests/client/fleet_replicas.h"

#include <chrono>
#include <regex>

#include "absl/strings/str_cat.h"
#include "ganserve/v1/generator.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/client/ganctl_process.h"

namespace ganserve::testing {

std::string FleetModel() { return SourcePath("tests/fixtures/keras/k38_cgan.keras").string(); }

std::unique_ptr<LiveGanserve> StartReplica(const std::vector<std::string>& flags, int port) {
  std::vector<std::string> all = {"--model=live=" + FleetModel(), "--repository_poll_s=0",
                                  "--workers=1", "--onednn_threads=1", "--drain_timeout_s=10"};
  if (port != 0) all.push_back(absl::StrCat("--address=127.0.0.1:", port));
  all.insert(all.end(), flags.begin(), flags.end());
  auto replica = LiveGanserve::Start(GANSERVE_PATH, all, absl::Seconds(120));
  if (!replica.ok()) {
    ADD_FAILURE() << replica.status();
    return nullptr;
  }
  return *std::move(replica);
}

int64_t ImagesGenerated(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // not the bench's connection
  auto stub = v1::Generator::NewStub(
      grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::GetModelRequest request;
  request.set_name("live");
  v1::ModelInfo info;
  if (!stub->GetModel(&context, request, &info).ok()) return -1;
  return static_cast<int64_t>(info.images_generated());
}

int64_t BenchErrors(const std::string& report) {
  static const std::regex kErrors(R"("errors": (\d+))");
  std::smatch match;
  if (!std::regex_search(report, match, kErrors)) return -1;
  return std::stoll(match[1]);
}

}  // namespace ganserve::testing
