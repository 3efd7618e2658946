// Loads the real third-party Keras files in ../shared/models and compares
// their outputs with the Keras oracle's (tests/fixtures/real_expected/).
#include <filesystem>
#include <string>

#include "engine/loaders/keras_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/keras_test_util.h"

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
  auto model = LoadKerasModel(path);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->graph->Params().total(), m.params);
  EXPECT_EQ(model->graph->output_dims(), m.output);
  EXPECT_EQ(model->graph->inputs().size(), m.inputs);
  EXPECT_EQ(model->format, m.format);
  auto err =
      RelativeErrorOnSavedInputs(*model, SourceDir() + "/tests/fixtures/real_expected/" + m.file);
  ASSERT_TRUE(err.ok()) << err.status();
  EXPECT_LT(*err, 1e-4);
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
  auto model = LoadKerasModel(path);
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("weights-only"));
}

}  // namespace
}  // namespace ganserve
