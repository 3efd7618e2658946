// Every file the Keras loader must refuse gets an error that names the
// problem (and the layer and class where there is one), never a crash.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/file_contents.h"
#include "engine/loaders/keras_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/loaders/keras/keras_test_util.h"

namespace ganserve {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string ErrorFixture(const std::string& name) {
  return SourceDir() + "/tests/fixtures/keras/errors/" + name;
}

std::string LoadError(const std::string& path) {
  auto model = LoadKerasModel(path);
  EXPECT_FALSE(model.ok()) << path << " loaded but should have been refused";
  return model.ok() ? "" : std::string(model.status().message());
}

// Writes the first `fraction` of a fixture to a temporary file.
std::string Truncated(const std::string& source, double fraction, const std::string& suffix) {
  const std::string bytes = ReadFileContents(source).value_or("");
  const std::string path = ::testing::TempDir() + "/truncated" + suffix;
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() * fraction));
  return path;
}

TEST(KerasLoaderErrors, WeightsOnlyFileIsRefusedAsSuch) {
  EXPECT_THAT(LoadError(ErrorFixture("weights_only.h5")),
              AllOf(HasSubstr("weights-only"), HasSubstr("model_config")));
}

TEST(KerasLoaderErrors, UnknownLayerNamesLayerAndClass) {
  EXPECT_THAT(LoadError(ErrorFixture("unknown_layer.h5")),
              AllOf(HasSubstr("'conv3d'"), HasSubstr("Conv3D"), HasSubstr("unsupported")));
}

TEST(KerasLoaderErrors, PReLUIsRefused) {
  EXPECT_THAT(LoadError(ErrorFixture("prelu.h5")),
              AllOf(HasSubstr("'p_re_lu'"), HasSubstr("PReLU")));
}

TEST(KerasLoaderErrors, GroupNormGroupsMustDivideTheChannels) {
  EXPECT_THAT(LoadError(ErrorFixture("group_norm_groups.h5")),
              AllOf(HasSubstr("'gn_bad'"), HasSubstr("4 channels do not split into 3 groups")));
}

TEST(KerasLoaderErrors, GroupNormOverANonChannelAxisIsRefused) {
  EXPECT_THAT(LoadError(ErrorFixture("group_norm_axis.h5")),
              AllOf(HasSubstr("'gn_bad'"), HasSubstr("axis 1 of a rank-4 input")));
}

TEST(KerasLoaderErrors, LayerNormOverAxesThatDoNotEndTheSampleIsRefused) {
  EXPECT_THAT(LoadError(ErrorFixture("layer_norm_axes.h5")),
              AllOf(HasSubstr("'ln_bad'"),
                    HasSubstr("axes that do not end the sample ([1] of a rank-4 input)")));
}

TEST(KerasLoaderErrors, LayerNormWithRmsScalingIsRefused) {
  EXPECT_THAT(LoadError(ErrorFixture("layer_norm_rms.h5")),
              AllOf(HasSubstr("'ln_bad'"), HasSubstr("rms_scaling=True")));
}

TEST(KerasLoaderErrors, LambdaLayerIsRefusedAsPythonCode) {
  EXPECT_THAT(LoadError(ErrorFixture("lambda.h5")),
              AllOf(HasSubstr("'scale_it'"), HasSubstr("Lambda"), HasSubstr("Python code")));
}

TEST(KerasLoaderErrors, CustomLayerIsRefused) {
  EXPECT_THAT(LoadError(ErrorFixture("custom.h5")),
              AllOf(HasSubstr("'pixel_norm'"), HasSubstr("MyPixelNorm")));
}

TEST(KerasLoaderErrors, CustomActivationObjectNamesLayerAndClass) {
  EXPECT_THAT(LoadError(ErrorFixture("custom_activation.h5")),
              AllOf(HasSubstr("'dense'"), HasSubstr("MySwish"), HasSubstr("custom activations")));
}

TEST(KerasLoaderErrors, LayerObjectThatIsNoActivationIsRefused) {
  EXPECT_THAT(LoadError(ErrorFixture("layer_as_activation.h5")),
              AllOf(HasSubstr("'dense'"), HasSubstr("'Dense' layer, not an activation")));
}

TEST(KerasLoaderErrors, ChannelsFirstIsRefused) {
  EXPECT_THAT(LoadError(ErrorFixture("channels_first.h5")),
              AllOf(HasSubstr("'conv_cf'"), HasSubstr("Conv2D"), HasSubstr("channels_first")));
}

TEST(KerasLoaderErrors, WeightShapeMismatchNamesWeightAndShapes) {
  EXPECT_THAT(
      LoadError(ErrorFixture("bad_weight_shape.h5")),
      AllOf(HasSubstr("'dense_2'"), HasSubstr("kernel"), HasSubstr("(4, 5)"), HasSubstr("(4, 3)")));
}

TEST(KerasLoaderErrors, MissingFileIsRefused) {
  EXPECT_THAT(LoadError(ErrorFixture("no_such_file.h5")), HasSubstr("no_such_file.h5"));
}

TEST(KerasLoaderErrors, TruncatedH5IsRefusedWithoutCrash) {
  const std::string full = SourceDir() + "/tests/fixtures/keras/tf29_functional_cgan.h5";
  for (double fraction : {0.0, 0.1, 0.5, 0.9, 0.99}) {
    EXPECT_THAT(LoadError(Truncated(full, fraction, ".h5")), HasSubstr("truncated"))
        << "fraction " << fraction;
  }
}

TEST(KerasLoaderErrors, TruncatedKerasZipIsRefusedWithoutCrash) {
  const std::string full = SourceDir() + "/tests/fixtures/keras/k38_cgan.keras";
  for (double fraction : {0.1, 0.5, 0.9, 0.99}) {
    EXPECT_THAT(LoadError(Truncated(full, fraction, ".keras")), HasSubstr(".keras"))
        << "fraction " << fraction;
  }
}

}  // namespace
}  // namespace ganserve
