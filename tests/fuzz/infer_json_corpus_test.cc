// Replays the infer-body corpus without libFuzzer, and every truncation and
// byte flip of it: each body is planned or refused with a message.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "gtest/gtest.h"
#include "server/inference_json.h"
#include "server/inference_plan.h"
#include "tests/server/test_models.h"

namespace ganserve {
namespace {

absl::Status Plan(const LoadedGenerator& generator, const std::string& body) {
  auto request = InferRequestFromJson(body, "cgan", "");
  if (!request.ok()) return request.status();
  return PlanInference(generator, *request, {}).status();
}

TEST(InferJsonFuzzCorpus, EveryMangledBodyIsPlannedOrRefusedWithAMessage) {
  const char* source = std::getenv("GANSERVE_SOURCE_DIR");
  const std::string dir = std::string(source ? source : ".") + "/tests/fuzz/corpus/infer_json";
  auto generator = testing::MakeGenerator(testing::ConditionalModel(1));
  int bodies = 0, planned = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string body((std::istreambuf_iterator<char>(in)), {});
    std::vector<std::string> variants = {body};
    for (size_t n = 0; n < body.size(); ++n) {
      variants.push_back(body.substr(0, n));
      std::string flipped = body;
      flipped[n] = static_cast<char>(flipped[n] ^ 0x5a);
      variants.push_back(flipped);
    }
    for (const std::string& variant : variants) {
      const absl::Status status = Plan(*generator, variant);
      ++bodies;
      planned += status.ok();
      if (!status.ok()) {
        EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << variant;
        EXPECT_FALSE(status.message().empty()) << variant;
      }
    }
  }
  EXPECT_GT(bodies, 400);
  EXPECT_GT(planned, 0) << "the seeded body must plan";
}

}  // namespace
}  // namespace ganserve
