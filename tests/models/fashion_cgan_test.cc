// The bundled default model, models/fashion-cgan: both of its files
// (generator.keras and generator.onnx) load through LoadModel, run on both
// executors, and reproduce the PyTorch generator they were exported from
// (tests/fixtures/fashion_cgan_expected/, written by
// tests/fixtures/make_fashion_expected.py); model.json's labels resolve.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/generator_factory.h"
#include "engine/loaders/load_model.h"
#include "engine/model_options.h"
#include "engine/npy.h"
#include "gtest/gtest.h"
#include "tests/testing/source_dir.h"

namespace ganserve {
namespace {

constexpr double kMaxRelativeError = 1e-4;

std::string SourcePath(const std::string& relative) { return SourceDir() + "/" + relative; }

std::string ModelPath(const std::string& file) { return SourcePath("models/fashion-cgan/" + file); }

Tensor Fixture(const std::string& name) {
  auto array = ReadNpy(SourcePath("tests/fixtures/fashion_cgan_expected/" + name));
  EXPECT_TRUE(array.ok()) << array.status();
  return array.ok() ? *std::move(array) : Tensor();
}

// ‖a−b‖/‖b‖, as models/README.md reports it.
double RelativeError(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double diff = 0, norm = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    diff += (double{a[i]} - b[i]) * (double{a[i]} - b[i]);
    norm += double{b[i]} * b[i];
  }
  return std::sqrt(diff / norm);
}

struct Case {
  std::string file;
  ExecutorKind executor;
};

std::string CaseName(const testing::TestParamInfo<Case>& info) {
  std::string name = info.param.file.substr(info.param.file.find('.') + 1);
  return name + (info.param.executor == ExecutorKind::kOneDnn ? "_OneDnn" : "_Reference");
}

// The images [8,28,28,1] (HWC whatever the file's layout) for the fixture's latents and labels.
absl::StatusOr<std::vector<float>> Generate(const std::string& file, ExecutorKind executor) {
  absl::StatusOr<LoadedModel> model = LoadModel(ModelPath(file));
  if (!model.ok()) return model.status();
  absl::StatusOr<ModelOptions> options = ReadModelOptionsFile(ModelPath("model.json"));
  if (!options.ok()) return options.status();
  auto generator = BuildGenerator(*std::move(model), *std::move(options), executor);
  if (!generator.ok()) return generator.status();
  const Tensor z = Fixture("z.npy");
  std::vector<int32_t> labels;
  for (float label : Fixture("labels.npy").data) labels.push_back(static_cast<int32_t>(label));
  Tensor images;
  auto context = (*generator)->NewContext();
  absl::Status status = (*generator)->Run(*context, z.data, labels, images);
  if (!status.ok()) return status;
  if (images.shape != Dims{8, 28, 28, 1}) {
    return absl::InternalError("images have shape " + DimsToString(images.shape));
  }
  return images.data;
}

// Until engine/loaders/load_model.cc calls the Keras and ONNX loaders, this
// build cannot read the bundled files; say so instead of failing.
#define SKIP_IF_LOADER_MISSING(status) \
  if (absl::IsUnimplemented(status)) GTEST_SKIP() << "no loader in this build: " << (status)

class FashionCganTest : public testing::TestWithParam<Case> {};

TEST_P(FashionCganTest, MatchesThePyTorchGenerator) {
  absl::StatusOr<std::vector<float>> images = Generate(GetParam().file, GetParam().executor);
  SKIP_IF_LOADER_MISSING(images.status());
  ASSERT_TRUE(images.ok()) << images.status();
  EXPECT_LT(RelativeError(*images, Fixture("expected_nhwc.npy").data), kMaxRelativeError);
}

INSTANTIATE_TEST_SUITE_P(BothFilesBothExecutors, FashionCganTest,
                         testing::Values(Case{"generator.keras", ExecutorKind::kReference},
                                         Case{"generator.keras", ExecutorKind::kOneDnn},
                                         Case{"generator.onnx", ExecutorKind::kReference},
                                         Case{"generator.onnx", ExecutorKind::kOneDnn}),
                         CaseName);

TEST(FashionCgan, KerasAndOnnxFilesGiveTheSameImages) {
  for (ExecutorKind executor : {ExecutorKind::kReference, ExecutorKind::kOneDnn}) {
    absl::StatusOr<std::vector<float>> keras = Generate("generator.keras", executor);
    absl::StatusOr<std::vector<float>> onnx = Generate("generator.onnx", executor);
    SKIP_IF_LOADER_MISSING(keras.status());
    SKIP_IF_LOADER_MISSING(onnx.status());
    ASSERT_TRUE(keras.ok()) << keras.status();
    ASSERT_TRUE(onnx.ok()) << onnx.status();
    EXPECT_LT(RelativeError(*onnx, *keras), kMaxRelativeError);
  }
}

TEST(FashionCgan, FilesLoadAsTheirFormatWithTheirOwnLayout) {
  absl::StatusOr<LoadedModel> keras = LoadModel(ModelPath("generator.keras"));
  absl::StatusOr<LoadedModel> onnx = LoadModel(ModelPath("generator.onnx"));
  SKIP_IF_LOADER_MISSING(keras.status());
  SKIP_IF_LOADER_MISSING(onnx.status());
  ASSERT_TRUE(keras.ok()) << keras.status();
  ASSERT_TRUE(onnx.ok()) << onnx.status();
  EXPECT_EQ(keras->format, "keras-zip");
  EXPECT_EQ(onnx->format, "onnx");
  EXPECT_EQ(keras->output_layout, SampleLayout::kChannelsLast);
  EXPECT_EQ(onnx->output_layout, SampleLayout::kChannelsFirst);
  // model.json sits beside both files, so a "layout" there would misread one of them.
  absl::StatusOr<ModelOptions> options = ReadModelOptionsFile(ModelPath("model.json"));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_FALSE(options->layout.has_value());
}

TEST(FashionCgan, ModelJsonNamesTheTenClassesInDatasetOrder) {
  absl::StatusOr<ModelOptions> options = ReadModelOptionsFile(ModelPath("model.json"));
  ASSERT_TRUE(options.ok()) << options.status();
  // Fashion-MNIST's label order (its dataset documentation), which train.py trained on.
  const std::vector<std::string> expected = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                             "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                             "Bag",         "Ankle boot"};
  EXPECT_EQ(options->labels, expected);
  ASSERT_TRUE(options->output_range.has_value());
  EXPECT_EQ(*options->output_range, (std::pair<float, float>{-1.0f, 1.0f}));
  EXPECT_EQ(options->latent_distribution, Distribution::kNormal);
}

TEST(FashionCgan, GeneratorTakesTenLabelsByName) {
  absl::StatusOr<LoadedModel> model = LoadModel(ModelPath("generator.keras"));
  SKIP_IF_LOADER_MISSING(model.status());
  ASSERT_TRUE(model.ok()) << model.status();
  absl::StatusOr<ModelOptions> options = ReadModelOptionsFile(ModelPath("model.json"));
  ASSERT_TRUE(options.ok()) << options.status();
  auto generator = BuildGenerator(*std::move(model), *std::move(options), ExecutorKind::kReference);
  ASSERT_TRUE(generator.ok()) << generator.status();
  EXPECT_TRUE((*generator)->conditional());
  EXPECT_EQ((*generator)->label_count(), 10);  // from the Embedding, not from model.json
  EXPECT_EQ((*generator)->latent_size(), 100);
  ASSERT_EQ((*generator)->label_names().size(), 10u);
  EXPECT_EQ((*generator)->label_names()[8], "Bag");
}

}  // namespace
}  // namespace ganserve
