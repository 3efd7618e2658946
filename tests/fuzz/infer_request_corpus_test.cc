// Runs ModelInfer's decoding and planning (the fuzz target's harness) on
// valid requests and on every single-byte mutation and truncation of them,
// without libFuzzer: each must end in a status, never crash.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "inference/grpc_service.pb.h"
#include "tests/fuzz/infer_request_harness.h"

namespace ganserve::testing {
namespace {

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  inference::ModelInferRequest raw;
  auto* latent = raw.add_inputs();
  latent->set_name("latent");
  latent->set_datatype("FP32");
  latent->add_shape(1);
  latent->add_shape(4);
  const float values[] = {0.5f, -0.25f, 1.0f, 0.0f};
  raw.add_raw_input_contents(std::string(reinterpret_cast<const char*>(values), sizeof(values)));
  auto* label = raw.add_inputs();
  label->set_name("label");
  label->set_datatype("INT32");
  label->add_shape(1);
  const int32_t three = 3;
  raw.add_raw_input_contents(std::string(reinterpret_cast<const char*>(&three), sizeof(three)));
  seeds.push_back(raw.SerializeAsString());

  inference::ModelInferRequest typed;
  (*typed.mutable_parameters())["seed"].set_int64_param(5);
  (*typed.mutable_parameters())["count"].set_int64_param(2);
  auto* typed_label = typed.add_inputs();
  typed_label->set_name("label");
  typed_label->set_datatype("INT64");
  typed_label->add_shape(1);
  typed_label->mutable_contents()->add_int64_contents(1);
  typed.add_outputs()->set_name("png");
  typed.add_outputs()->set_name("image");
  seeds.push_back(typed.SerializeAsString());
  return seeds;
}

TEST(InferRequestFuzzCorpus, ValidRequestsAreAnswered) {
  for (const std::string& seed : Seeds()) EXPECT_TRUE(DecodePlanAndAnswer(seed));
}

TEST(InferRequestFuzzCorpus, MutatedAndTruncatedRequestsEndInAStatus) {
  for (const std::string& seed : Seeds()) {
    for (size_t i = 0; i < seed.size(); ++i) {
      for (unsigned char value : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
        std::string mutated = seed;
        mutated[i] = static_cast<char>(value);
        (void)DecodePlanAndAnswer(mutated);
      }
      (void)DecodePlanAndAnswer(seed.substr(0, i));
    }
  }
}

}  // namespace
}  // namespace ganserve::testing
