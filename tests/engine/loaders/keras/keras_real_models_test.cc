// Loads the real third-party Keras files in ../shared/models through
// LoadModel (as the server does) and compares the outputs of both executors
// with the Keras oracle's (tests/fixtures/real_expected/, made by
// tests/fixtures/make_real_expected.sh). Parameter counts are the oracle's,
// which equal the sums of each file's weight dataset sizes.
#include <filesystem>
#include <string>

#include "engine/loaders/load_model.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/loaders/keras/keras_test_util.h"

namespace ganserve {
namespace {

using ::testing::HasSubstr;

struct RealModel {
  const char* file;
  int64_t params;
  Dims output;
  size_t inputs;
  const char* format;
};

std::string ModelsDir() { return SourceDir() + "/../shared/models"; }

class RealKerasModel : public ::testing::TestWithParam<RealModel> {};

TEST_P(RealKerasModel, LoadsWithKerasParamCountAndMatchesOracle) {
  const RealModel& m = GetParam();
  const std::string path = ModelsDir() + "/" + m.file;
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent (../shared not checked out)";
  auto model = LoadModel(path);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->graph->Params().total(), m.params);
  EXPECT_EQ(model->graph->output_dims(), m.output);
  EXPECT_EQ(model->graph->inputs().size(), m.inputs);
  EXPECT_EQ(model->format, m.format);
  const std::string expected = SourceDir() + "/tests/fixtures/real_expected/" + m.file;
  for (ExecutorKind kind : {ExecutorKind::kReference, ExecutorKind::kOneDnn}) {
    SCOPED_TRACE(kind == ExecutorKind::kReference ? "reference executor" : "oneDNN executor");
    auto err = RelativeErrorOnSavedInputs(*model, expected, kind);
    ASSERT_TRUE(err.ok()) << err.status();
    EXPECT_LT(*err, 1e-4);
  }
}

INSTANTIATE_TEST_SUITE_P(
    SharedModels, RealKerasModel,
    ::testing::Values(
        RealModel{"hiepvo01_generator_model_100.h5", 850689, {28, 28, 1}, 1, "keras-h5"},
        RealModel{"dhanu_upsampling_generator_050.h5", 541825, {28, 28, 1}, 1, "keras-h5"},
        RealModel{"abs14_cgan_generator.h5", 863543, {28, 28, 1}, 2, "keras-h5"},
        RealModel{"janfab_generator.keras", 834433, {28, 28, 1}, 1, "keras-zip"},
        RealModel{"kifal_anime_generator.h5", 1009923, {64, 64, 3}, 1, "keras-h5"}),
    [](const auto& info) {
      std::string name = info.param.file;
      return name.substr(0, name.find('_'));
    });

TEST(RealKerasModel, WeightsOnlyFileIsRefused) {
  const std::string path = ModelsDir() + "/fiammante_g_model_weights_only.h5";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent (../shared not checked out)";
  auto model = LoadModel(path);
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("weights-only"));
}

}  // namespace
}  // namespace ganserve
