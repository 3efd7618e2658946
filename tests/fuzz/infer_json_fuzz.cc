// libFuzzer target: any bytes as an Open Inference Protocol REST infer body,
// through the JSON decoder and the plan against a conditional test model.
// Either a plan or an error with a message; never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/inference_json.h"
#include "server/inference_plan.h"
#include "tests/testing/test_models.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* generator =
      ganserve::testing::MakeGenerator(ganserve::testing::ConditionalModel(1)).release();
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto request = ganserve::InferRequestFromJson(body, "cgan", "");
  if (request.ok()) (void)ganserve::PlanInference(*generator, *request, {});
  return 0;
}
