// ganctl bench FILE: the offline engine benchmark's usage errors, its JSON
// and CSV reports (figures consistent with each other and with the model's
// arithmetic) and its bf16 rows with their error against f32.
#include <regex>

#include "engine/graph_flops.h"
#include "engine/loaders/load_model.h"
#include "engine/onednn/onednn_executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/ganctl_process.h"

namespace ganserve::client {
namespace {

using ganserve::testing::Ganctl;
using ganserve::testing::GanctlRun;
using ::testing::HasSubstr;

constexpr char kFixture[] = "tests/fixtures/keras/k38_cgan.keras";
constexpr char kQuick[] = " --seconds 0 --min-runs 3 --warmup 1 --peak-seconds 0";

std::vector<double> Numbers(const std::string& text, const std::string& key) {
  std::vector<double> values;
  const std::regex re("\"" + key + "\": ([0-9.eE+-]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    values.push_back(std::stod((*it)[1]));
  }
  return values;
}

class OfflineBenchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = ganserve::testing::SourcePath(kFixture).string();
    auto loaded = LoadModel(model_);
    if (!loaded.ok())
      GTEST_SKIP() << "this build cannot load " << model_ << ": " << loaded.status();
    flops_ = GraphFlopsPerSample(*loaded->graph);
  }
  std::string model_;
  double flops_ = 0;
};

TEST_F(OfflineBenchTest, UsageErrorsExitTwoAndBadFilesOne) {
  EXPECT_EQ(Ganctl("bench " + model_ + " --help").exit_code, 0);
  EXPECT_EQ(Ganctl("bench " + model_ + " --batch 0").exit_code, 2);
  EXPECT_EQ(Ganctl("bench " + model_ + " --batch 1,x").exit_code, 2);
  GanctlRun r = Ganctl("bench " + model_ + " --precision f16");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("f32, bf16 or auto"));
  EXPECT_EQ(Ganctl("bench " + model_ + " other.onnx").exit_code, 2);
  r = Ganctl("bench /nonexistent/g.onnx" + std::string(kQuick));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("/nonexistent/g.onnx"));
}

TEST_F(OfflineBenchTest, JsonRowsPerBatchWithConsistentFigures) {
  const GanctlRun r =
      Ganctl("bench " + model_ + " --batch 1,3 --threads 1 --format json" + std::string(kQuick));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"threads\": 1"));
  EXPECT_EQ(Numbers(r.out, "batch"), (std::vector<double>{1, 3}));
  ASSERT_THAT(Numbers(r.out, "flops_per_image"),
              ::testing::ElementsAre(::testing::DoubleNear(flops_, 1)));
  const auto ips = Numbers(r.out, "images_per_s"), gflops = Numbers(r.out, "gflops");
  const auto p50 = Numbers(r.out, "p50_ms"), p99 = Numbers(r.out, "p99_ms");
  const auto runs = Numbers(r.out, "runs");
  ASSERT_EQ(ips.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_GE(runs[i], 3);
    EXPECT_GT(ips[i], 0);
    EXPECT_LE(p50[i], p99[i]);
    EXPECT_NEAR(gflops[i], ips[i] * flops_ / 1e9, 0.01 + 0.01 * gflops[i]);
  }
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("psnr")));  // f32 rows have no error column
}

TEST_F(OfflineBenchTest, Bf16RowsReportTheirErrorAgainstF32OrTheCpuLacksIt) {
  const GanctlRun r = Ganctl("bench " + model_ + " --batch 4 --precision f32,bf16 --format csv" +
                             std::string(kQuick));
  if (!CpuRunsBf16Natively()) {
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.out, HasSubstr("avx512_bf16 or AMX"));
    return;
  }
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr(",f32,4,"));
  const std::smatch m = [&] {
    std::smatch found;
    std::regex_search(r.out, found, std::regex(",bf16,4,.*,([0-9.]+|inf),([0-9]+)\n"));
    return found;
  }();
  ASSERT_EQ(m.size(), 3u) << r.out;
  EXPECT_TRUE(m[1] == "inf" || std::stod(m[1]) >= 45) << r.out;  // the README's bound
  EXPECT_LE(std::stoi(m[2]), 8);
}

}  // namespace
}  // namespace ganserve::client
