#include "tests/fuzz/infer_request_harness.h"

#include <memory>

#include "server/inference_grpc_convert.h"
#include "server/inference_outputs.h"
#include "tests/testing/test_models.h"

namespace ganserve::testing {
namespace {

constexpr int64_t kMaxImagesRun = 4;

bool PlanAndAnswer(const LoadedGenerator& generator, const inference::ModelInferRequest& proto,
                   const InferRequest& request) {
  GenerationLimits limits;
  limits.max_images_per_request = 16;
  absl::StatusOr<InferPlan> plan = PlanInference(generator, request, limits);
  if (!plan.ok() || plan->work.count > kMaxImagesRun) return plan.ok();
  auto context = generator.NewContext();
  Tensor images;
  if (!generator.Run(*context, plan->work.latents, plan->work.labels, images).ok()) return true;
  InferOutputs outputs(generator, *plan);
  for (int64_t i = 0; i < plan->work.count; ++i) {
    absl::StatusOr<std::string> data =
        EncodeImage(generator, images.data.data() + i * generator.image_size(), plan->encoding);
    EncodedImage image;
    image.index = i;
    if (data.ok()) image.data = *std::move(data);
    (void)outputs.Add(image);
  }
  inference::ModelInferResponse response;
  ToProto(outputs.Take(), WantsRawOutputs(proto), response);
  return true;
}

}  // namespace

bool DecodePlanAndAnswer(const std::string& bytes) {
  static const std::unique_ptr<LoadedGenerator> conditional = MakeGenerator(ConditionalModel(1));
  static const std::unique_ptr<LoadedGenerator> unconditional =
      MakeGenerator(UnconditionalModel(2));
  inference::ModelInferRequest proto;
  if (!proto.ParseFromString(bytes)) return false;
  absl::StatusOr<InferRequest> request = FromProto(proto);
  if (!request.ok()) return false;
  const bool a = PlanAndAnswer(*conditional, proto, *request);
  const bool b = PlanAndAnswer(*unconditional, proto, *request);
  return a || b;
}

}  // namespace ganserve::testing
