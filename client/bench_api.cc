#include "client/bench_api.h"

#include "absl/strings/str_cat.h"
#include "ganserve/v1/generator.grpc.pb.h"
#include "inference/grpc_service.grpc.pb.h"

namespace ganserve::client {
namespace {

class NativeStub final : public BenchStub {
 public:
  explicit NativeStub(std::shared_ptr<grpc::Channel> channel)
      : stub_(ganserve::v1::Generator::NewStub(std::move(channel))) {}

  void Send(grpc::ClientContext& context, const BenchRequestSpec& spec,
            std::function<void(grpc::Status, int64_t)> done) override {
    struct Exchange {
      ganserve::v1::GenerateRequest request;
      ganserve::v1::GenerateResponse response;
    };
    auto* exchange = new Exchange();
    exchange->request.set_model(spec.model);
    exchange->request.mutable_sampling()->set_seed(spec.seed);
    exchange->request.mutable_sampling()->set_count(spec.batch);
    exchange->request.mutable_labels()->Add(spec.labels.begin(), spec.labels.end());
    stub_->async()->Generate(&context, &exchange->request, &exchange->response,
                             [exchange, done = std::move(done)](grpc::Status status) {
                               const int64_t images = exchange->response.images_size();
                               delete exchange;
                               done(std::move(status), images);
                             });
  }

 private:
  std::unique_ptr<ganserve::v1::Generator::Stub> stub_;
};

// ModelInfer with the seed and count parameters, the labels as a raw INT32
// tensor and only the png output: the same work and answer as Generate.
class V2Stub final : public BenchStub {
 public:
  explicit V2Stub(std::shared_ptr<grpc::Channel> channel)
      : stub_(inference::GRPCInferenceService::NewStub(std::move(channel))) {}

  void Send(grpc::ClientContext& context, const BenchRequestSpec& spec,
            std::function<void(grpc::Status, int64_t)> done) override {
    struct Exchange {
      inference::ModelInferRequest request;
      inference::ModelInferResponse response;
    };
    auto* exchange = new Exchange();
    inference::ModelInferRequest& request = exchange->request;
    request.set_model_name(spec.model);
    (*request.mutable_parameters())["seed"].set_uint64_param(spec.seed);
    (*request.mutable_parameters())["count"].set_int64_param(spec.batch);
    if (!spec.labels.empty()) {
      auto* label = request.add_inputs();
      label->set_name("label");
      label->set_datatype("INT32");
      label->add_shape(static_cast<int64_t>(spec.labels.size()));
      request.add_raw_input_contents(std::string(reinterpret_cast<const char*>(spec.labels.data()),
                                                 spec.labels.size() * sizeof(int32_t)));
    }
    request.add_outputs()->set_name("png");
    stub_->async()->ModelInfer(
        &context, &exchange->request, &exchange->response,
        [exchange, done = std::move(done)](grpc::Status status) {
          const auto& outputs = exchange->response.outputs();
          const int64_t images =
              outputs.empty() || outputs[0].shape().empty() ? 0 : outputs[0].shape(0);
          delete exchange;
          done(std::move(status), images);
        });
  }

 private:
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
};

}  // namespace

absl::StatusOr<BenchApi> ParseBenchApi(absl::string_view name) {
  if (name == "native") return BenchApi::kNative;
  if (name == "v2") return BenchApi::kV2;
  if (name == "http") return BenchApi::kHttp;
  return absl::InvalidArgumentError(
      absl::StrCat("--api must be native (ganserve.v1 Generate), v2 (Open Inference Protocol "
                   "ModelInfer) or http (the PNG URL on the HTTP port), got '",
                   name, "'"));
}

std::string BenchApiName(BenchApi api) {
  switch (api) {
    case BenchApi::kV2:
      return "v2";
    case BenchApi::kHttp:
      return "http";
    case BenchApi::kNative:
      break;
  }
  return "native";
}

std::unique_ptr<BenchStub> BenchStub::Create(BenchApi api, std::shared_ptr<grpc::Channel> channel) {
  if (api == BenchApi::kV2) return std::make_unique<V2Stub>(std::move(channel));
  return std::make_unique<NativeStub>(std::move(channel));
}

}  // namespace ganserve::client
