// Replays the infer-body corpus without libFuzzer, and every truncation and
// byte flip of it: each body is planned or refused with a message.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "engine/file_contents.h"
#include "gtest/gtest.h"
#include "server/inference_json.h"
#include "server/inference_plan.h"
#include "tests/testing/source_dir.h"
#include "tests/testing/test_models.h"

namespace ganserve {
namespace {

absl::Status Plan(const LoadedGenerator& generator, const std::string& body) {
  auto request = InferRequestFromJson(body, "cgan", "");
  if (!request.ok()) return request.status();
  return PlanInference(generator, *request, {}).status();
}

TEST(InferJsonFuzzCorpus, EveryMangledBodyIsPlannedOrRefusedWithAMessage) {
  const std::string dir = SourceDir() + "/tests/fuzz/corpus/infer_json";
  auto generator = testing::MakeGenerator(testing::ConditionalModel(1));
  int bodies = 0, planned = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string body = ReadFileContents(entry.path()).value_or("");
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
