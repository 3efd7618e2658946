// Loads the fixture models of tests/fixtures/keras/ (one per Keras dialect and
// layer option, written by make_keras_fixtures.py) and compares the output of
// each executor with the oracle's or numpy's (FILE.expected/).
#include <ostream>
#include <string>
#include <tuple>

#include "engine/loaders/keras_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/loaders/keras/keras_test_util.h"

namespace ganserve {
namespace {

struct Fixture {
  const char* file;
  int64_t params;  // the sum of the file's weight array sizes, as Keras counts
  Dims output;
  size_t inputs;
  bool sequential;
};

// Names the fixture in ctest's list instead of gtest's byte dump.
void PrintTo(const Fixture& f, std::ostream* os) { *os << f.file; }

class KerasFixture : public ::testing::TestWithParam<std::tuple<Fixture, ExecutorKind>> {};

TEST_P(KerasFixture, MatchesIndependentImplementation) {
  const auto& [f, executor] = GetParam();
  const std::string path = SourceDir() + "/tests/fixtures/keras/" + f.file;
  auto model = LoadKerasModel(path);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->graph->Params().total(), f.params);
  EXPECT_EQ(model->graph->output_dims(), f.output);
  EXPECT_EQ(model->graph->inputs().size(), f.inputs);
  EXPECT_EQ(model->sequential, f.sequential);
  auto err = RelativeErrorOnSavedInputs(*model, path + ".expected", executor);
  ASSERT_TRUE(err.ok()) << err.status();
  EXPECT_LT(*err, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(
    Dialects, KerasFixture,
    ::testing::Combine(
        ::testing::Values(
            // Keras 2.1.6: bare-list Sequential config, fixed-length string attributes.
            Fixture{"k216_list_sequential.h5", 116, {4, 4, 2}, 1, true},
            // Keras 2.2.4: bilinear with the TF1 asymmetric rule, BN axis=3, padding, cropping.
            Fixture{"k224_bilinear.h5", 223, {9, 15, 3}, 1, true},
            // tf.keras 2.9: two inputs in input_layers order, Embedding, use_bias=False,
            // BN axis [3] without scale, ReLU max_value, identities, Add, Multiply, Permute.
            Fixture{"tf29_functional_cgan.h5", 802, {6, 6, 1}, 2, false},
            // tf.keras 2.4: nested Sequential, one weight group, moving stats last; bilinear.
            Fixture{"tf24_nested.h5", 368, {4, 4, 2}, 1, false},
            // Keras 3.9 h5: build_input_shape only, dtype policies, no ':0', extra scope level.
            Fixture{"k39_build_input_shape.h5", 113, {2, 2, 1}, 1, true},
            // Keras 3.8 .keras: __keras_tensor__ inbound nodes, vars/<i> by class counter.
            Fixture{"k38_cgan.keras", 231, {4, 4, 1}, 2, false},
            // tf.keras 2.13 .keras: _layer_checkpoint_dependencies/.
            Fixture{"tf213.keras", 50, {2, 2, 2}, 1, false},
            // numpy: Conv2DTranspose output_padding and dilation, ReLU threshold, ELU alpha.
            Fixture{"tf215_special.h5", 47, {7, 8, 1}, 1, false},
            // numpy: Keras 3.8 .keras with a Sequential nested in a Functional model,
            // weights under layers/sequential/layers/<key>/vars.
            Fixture{"k38_nested.keras", 294, {4, 4, 2}, 1, false},
            // numpy: Keras 3.8 .keras, every built-in activation as a name, a serialized
            // function and a serialized layer (LeakyReLU, ReLU max_value, Softmax) inside
            // Dense, Conv2D and Conv2DTranspose; Keras 3's hard_sigmoid.
            Fixture{"k38_activations.keras", 2278, {4, 4, 2}, 1, false},
            // numpy: tf.keras 2.12 h5, Keras 2's hard_sigmoid, a legacy layer-object
            // activation, softmax as activation and as a Softmax layer.
            Fixture{"tf212_activations.h5", 168, {6}, 1, false},
            // PyTorch's group_norm: Keras 3.8 .keras and Keras 3.9 h5 GroupNormalization,
            // 4 groups of 2 channels, and groups=-1 (one per channel) without beta.
            Fixture{"k38_group_norm.keras", 1208, {8, 8, 4}, 1, false},
            Fixture{"k39_group_norm.h5", 1208, {8, 8, 4}, 1, true},
            // PyTorch's layer_norm: Keras 3.8 .keras and tf.keras 2.15 h5 LayerNormalization
            // over each pixel's channels, and over the whole sample without beta.
            Fixture{"k38_layer_norm.keras", 1460, {8, 8, 4}, 1, false},
            Fixture{"tf215_layer_norm.h5", 1460, {8, 8, 4}, 1, false}),
        ::testing::Values(ExecutorKind::kReference, ExecutorKind::kOneDnn)),
    [](const auto& info) {
      std::string name = std::get<0>(info.param).file;
      for (char& c : name) {
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name + (std::get<1>(info.param) == ExecutorKind::kOneDnn ? "_onednn" : "_reference");
    });

TEST(KerasBilinearMode, FollowsTheSavingKerasEra) {
  EXPECT_EQ(KerasBilinearMode("2.2.4"), CoordinateMode::kAsymmetric);
  EXPECT_EQ(KerasBilinearMode("2.3.1"), CoordinateMode::kAsymmetric);
  EXPECT_EQ(KerasBilinearMode("2.2.4-tf"), CoordinateMode::kAsymmetric);
  EXPECT_EQ(KerasBilinearMode("2.3.0-tf"), CoordinateMode::kHalfPixel);
  EXPECT_EQ(KerasBilinearMode("2.4.0"), CoordinateMode::kHalfPixel);
  EXPECT_EQ(KerasBilinearMode("2.15.0"), CoordinateMode::kHalfPixel);
  EXPECT_EQ(KerasBilinearMode("3.8.0"), CoordinateMode::kHalfPixel);
}

}  // namespace
}  // namespace ganserve
