// ganctl inspect and render, offline, on a Keras fixture: what inspect
// prints is what the loader and the fixture's own Keras-side files say, a
// bad file gets the loader's error, and render's pixels are the graph run
// by the reference executor on the sampler's latents.

#include <cmath>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/latent_sampler.h"
#include "engine/loaders/load_model.h"
#include "engine/npy.h"
#include "engine/png.h"
#include "engine/reference/reference_executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/ganctl_process.h"

namespace ganserve::client {
namespace {

namespace fs = std::filesystem;
using ganserve::testing::Ganctl;
using ganserve::testing::GanctlRun;
using ganserve::testing::ReadFile;
using ::testing::HasSubstr;

constexpr char kFixture[] = "tests/fixtures/keras/k38_cgan.keras";

class OfflineTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ganserve::testing::FreshTestDir("offline_"); }
  // The fixture, or skip when this build or checkout lacks it.
  void NeedFixture() {
    model_ = (ganserve::testing::SourcePath(kFixture)).string();
    if (!fs::exists(model_))
      GTEST_SKIP() << model_ << " is absent (it comes with the Keras loader)";
    loaded_ = LoadModel(model_);
    if (!loaded_.ok())
      GTEST_SKIP() << "this build cannot load " << model_ << ": " << loaded_.status();
  }

  fs::path dir_;
  std::string model_;
  absl::StatusOr<LoadedModel> loaded_ = absl::UnknownError("not loaded");
};

TEST_F(OfflineTest, HelpAndUsageErrors) {
  EXPECT_EQ(Ganctl("inspect --help").exit_code, 0);
  EXPECT_EQ(Ganctl("render --help").exit_code, 0);
  EXPECT_EQ(Ganctl("inspect").exit_code, 2);
  EXPECT_EQ(Ganctl("inspect a.h5 b.h5").exit_code, 2);
  GanctlRun r = Ganctl("render model.keras --seed 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("--out DIR, --grid FILE.png and/or --npy"));
  EXPECT_EQ(Ganctl("render model.keras --grid g.png --executor tpu").exit_code, 2);
}

TEST_F(OfflineTest, BadFilesExitOneWithTheLoadersError) {
  const fs::path garbage = dir_ / "garbage.h5";
  std::ofstream(garbage) << "\x89HDF\r\n\x1a\nnot really hdf5";
  const fs::path missing = dir_ / "missing.keras";
  for (const fs::path& path : {garbage, missing}) {
    const absl::StatusOr<LoadedModel> model = LoadModel(path.string());
    ASSERT_FALSE(model.ok());
    GanctlRun inspect = Ganctl("inspect " + path.string());
    EXPECT_EQ(inspect.exit_code, 1) << inspect.out;
    EXPECT_THAT(inspect.out, HasSubstr(std::string(model.status().message())));
    GanctlRun render =
        Ganctl(absl::StrCat("render ", path.string(), " --grid ", (dir_ / "g.png").string()));
    EXPECT_EQ(render.exit_code, 1) << render.out;
    EXPECT_THAT(render.out, HasSubstr(std::string(model.status().message())));
  }
}

TEST_F(OfflineTest, InspectShowsWhatTheFileHolds) {
  NeedFixture();
  if (IsSkipped()) return;
  // The Keras-side fixture files give the input and output shapes.
  const fs::path expected = ganserve::testing::SourcePath(std::string(kFixture) + ".expected");
  auto latents = ReadNpy((expected / "input0_latent.npy").string());
  auto images = ReadNpy((expected / "expected.npy").string());
  ASSERT_TRUE(latents.ok() && images.ok());
  GanctlRun r = Ganctl("inspect " + model_);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("keras-zip, saved by ", loaded_->saver_version)));
  EXPECT_THAT(r.out, HasSubstr(absl::StrFormat("latent size    %d\n", latents->shape[1])));
  EXPECT_THAT(r.out, HasSubstr("labels         3\n"));
  EXPECT_THAT(r.out,
              HasSubstr(absl::StrFormat("image          %dx%dx%d (HxWxC, model), values -1..1",
                                        images->shape[1], images->shape[2], images->shape[3])));
  EXPECT_THAT(r.out, HasSubstr(loaded_->graph->Summary(loaded_->model_name, !loaded_->sequential)));
  EXPECT_THAT(r.out, HasSubstr("Total params"));
  EXPECT_EQ(
      Ganctl("inspect " + model_ + " --model-json " + (dir_ / "none.json").string()).exit_code, 1);
}

TEST_F(OfflineTest, ModelJsonNamesTheClassesForInspectAndRender) {
  NeedFixture();
  if (IsSkipped()) return;
  const fs::path json = dir_ / "model.json";
  std::ofstream(json) << R"({"labels": ["cat", "dog", "owl"]})";
  GanctlRun inspect =
      Ganctl("inspect " + model_ + " --summary=false --model-json " + json.string());
  ASSERT_EQ(inspect.exit_code, 0) << inspect.out;
  EXPECT_THAT(inspect.out, HasSubstr("labels         3 (cat, dog, owl)"));
  GanctlRun render = Ganctl(absl::StrCat("render ", model_, " --model-json ", json.string(),
                                         " --label owl -n 2 --out ", dir_.string()));
  ASSERT_EQ(render.exit_code, 0) << render.out;
  EXPECT_TRUE(fs::exists(dir_ / "seed0_0001_owl.png"));
  GanctlRun bad = Ganctl(absl::StrCat("render ", model_, " --label emu --grid g.png"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.out, HasSubstr("--label 'emu' is not a class"));
  EXPECT_THAT(Ganctl(absl::StrCat("render ", model_, " --grid g.png")).out,
              HasSubstr("is conditional: give --label"));
}

TEST_F(OfflineTest, RenderIsTheGraphOnTheSamplersLatents) {
  NeedFixture();
  if (IsSkipped()) return;
  const int n = 5, label = 2;
  const uint64_t seed = 11;
  const std::vector<float> z = SampleLatents({seed}, n, 6);
  const Tensor labels({n, 1}, std::vector<float>(n, label));
  const ReferenceExecutor reference(loaded_->graph);
  auto context = reference.NewContext();
  Tensor out;
  ASSERT_TRUE(reference.Run(*context, {Tensor({n, 6}, z), labels}, out).ok());
  for (const std::string executor : {"reference", "onednn"}) {
    SCOPED_TRACE(executor);
    const fs::path folder = dir_ / executor;
    GanctlRun r = Ganctl(absl::StrCat("render ", model_, " --executor ", executor,
                                      " --seed 11 -n 5 --label 2 --out ", folder.string()));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const int64_t size = 16;  // 4x4x1
    for (int i = 0; i < n; ++i) {
      auto png = DecodePng(ReadFile(folder / absl::StrFormat("seed11_%04d_label2.png", i)));
      ASSERT_TRUE(png.ok()) << png.status();
      const std::vector<uint8_t> want =
          ToUint8(absl::MakeConstSpan(out.data).subspan(i * size, size), -1.0f, 1.0f);
      ASSERT_EQ(png->pixels.size(), want.size());
      for (int64_t p = 0; p < size; ++p) {
        // oneDNN sums in another order: one grey level apart at most.
        EXPECT_NEAR(png->pixels[p], want[p], executor == "reference" ? 0 : 1) << i << "," << p;
      }
    }
  }
}

// The bundled model's two files on the PyTorch generator's own latents,
// labels and outputs (tests/fixtures/make_fashion_expected.py): --npy keeps
// each file's layout, NCHW for ONNX and NHWC for Keras.
TEST_F(OfflineTest, RenderNpyIsTheModelsOwnOutputOnGivenLatents) {
  const fs::path fixtures = ganserve::testing::SourcePath("tests/fixtures/fashion_cgan_expected");
  absl::StatusOr<Tensor> expected = ReadNpy((fixtures / "expected_nhwc.npy").string());
  ASSERT_TRUE(expected.ok()) << expected.status();
  ASSERT_EQ(expected->shape, (std::vector<int64_t>{8, 28, 28, 1}));
  for (const std::string file : {"generator.onnx", "generator.keras"}) {
    SCOPED_TRACE(file);
    const fs::path out = dir_ / (file + ".npy");
    GanctlRun render = Ganctl(absl::StrCat(
        "render ", ganserve::testing::SourcePath("models/fashion-cgan/" + file).string(),
        " --latents ", (fixtures / "z.npy").string(), " --labels ",
        (fixtures / "labels.npy").string(), " --batch 3 --npy ", out.string()));
    ASSERT_EQ(render.exit_code, 0) << render.out;
    absl::StatusOr<Tensor> got = ReadNpy(out.string());
    ASSERT_TRUE(got.ok()) << got.status();
    const bool onnx = file == "generator.onnx";
    EXPECT_EQ(got->shape, onnx ? (std::vector<int64_t>{8, 1, 28, 28}) : expected->shape);
    ASSERT_EQ(got->data.size(), expected->data.size());
    double diff = 0, norm = 0;
    for (size_t i = 0; i < got->data.size(); ++i) {
      // One channel: NCHW and NHWC hold the values in the same order.
      const double d = got->data[i] - expected->data[i];
      diff += d * d;
      norm += static_cast<double>(expected->data[i]) * expected->data[i];
    }
    EXPECT_LT(std::sqrt(diff / norm), 1e-4);
  }
}

// The command of the issue: `-o grid.png` is the contact sheet, not a
// folder named grid.png; any other -o path is still a folder.
TEST_F(OfflineTest, RenderOutPathEndingInPngWritesTheContactSheet) {
  const std::string model =
      ganserve::testing::SourcePath("models/fashion-cgan/generator.onnx").string();
  const std::string args = absl::StrCat("render ", model, " -n 16 --seed 7 --label 3 --scale 1");
  const fs::path sheet = dir_ / "grid.png", upper = dir_ / "GRID.PNG", grid = dir_ / "ref.png";
  GanctlRun o = Ganctl(absl::StrCat(args, " -o ", sheet.string()));
  ASSERT_EQ(o.exit_code, 0) << o.out;
  ASSERT_TRUE(fs::is_regular_file(sheet)) << "-o made a folder";
  absl::StatusOr<Image8> png = DecodePng(ReadFile(sheet));
  ASSERT_TRUE(png.ok()) << png.status();
  // 4x4 tiles of 28x28 with a 2-pixel gutter: 2 + 4*(28+2) = 122.
  EXPECT_EQ(png->width, 122);
  EXPECT_EQ(png->height, 122);
  EXPECT_EQ(png->channels, 1);
  ASSERT_EQ(Ganctl(absl::StrCat(args, " --grid ", grid.string())).exit_code, 0);
  EXPECT_EQ(ReadFile(sheet), ReadFile(grid));
  ASSERT_EQ(Ganctl(absl::StrCat(args, " --out ", upper.string())).exit_code, 0);
  EXPECT_TRUE(fs::is_regular_file(upper));

  const fs::path folder = dir_ / "tiles";
  GanctlRun files = Ganctl(absl::StrCat(args, " -o ", folder.string()));
  ASSERT_EQ(files.exit_code, 0) << files.out;
  EXPECT_TRUE(fs::exists(folder / "seed7_0015_Dress.png"));

  GanctlRun both = Ganctl(absl::StrCat(args, " -o ", sheet.string(), " --grid ", grid.string()));
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.out, HasSubstr("give one of them"));
  EXPECT_THAT(Ganctl("render --help").out, HasSubstr("a path ending in .png: the contact sheet"));
}

// 28x28 Fashion-MNIST tiles are drawn 4x by default, so the sheet is readable.
TEST_F(OfflineTest, RenderSheetScalesTwentyEightPixelTilesFourTimesByDefault) {
  const std::string model =
      ganserve::testing::SourcePath("models/fashion-cgan/generator.keras").string();
  const fs::path scaled = dir_ / "scaled.png", plain = dir_ / "plain.png";
  const std::string args = absl::StrCat("render ", model, " -n 4 --seed 7 --label 3");
  ASSERT_EQ(Ganctl(absl::StrCat(args, " --grid ", scaled.string())).exit_code, 0);
  ASSERT_EQ(Ganctl(absl::StrCat(args, " --scale 1 --grid ", plain.string())).exit_code, 0);
  absl::StatusOr<Image8> big = DecodePng(ReadFile(scaled)), small = DecodePng(ReadFile(plain));
  ASSERT_TRUE(big.ok() && small.ok());
  // 2x2 tiles of 112x112 with a 2-pixel gutter: 2 + 2*(112+2) = 230.
  ASSERT_EQ(big->width, 230);
  ASSERT_EQ(big->height, 230);
  ASSERT_EQ(small->width, 62);
  for (int y = 0; y < 112; ++y) {
    for (int x = 0; x < 112; ++x) {
      // Tile (1, 1): from (116, 116) in the big sheet, (32, 32) in the 1x one.
      ASSERT_EQ(big->pixels[(116 + y) * 230 + 116 + x],
                small->pixels[(32 + y / 4) * 62 + 32 + x / 4])
          << y << "," << x;
    }
  }
  EXPECT_THAT(Ganctl("render --help").out, HasSubstr("nearest neighbour"));
}

TEST_F(OfflineTest, RenderRefusesLatentsAndLabelsThatDoNotFitTheModel) {
  const fs::path fixtures = ganserve::testing::SourcePath("tests/fixtures/fashion_cgan_expected");
  const std::string model = ganserve::testing::SourcePath("models/fashion-cgan/generator.onnx");
  const std::string labels = (fixtures / "labels.npy").string(), z = (fixtures / "z.npy").string();
  const std::string out = (dir_ / "x.npy").string();
  GanctlRun wrong_size =
      Ganctl(absl::StrCat("render ", model, " --latents ", labels, " --npy ", out));
  EXPECT_NE(wrong_size.exit_code, 0);
  EXPECT_THAT(wrong_size.out, HasSubstr("has shape 8x1; the model wants N x 100"));
  GanctlRun no_labels = Ganctl(absl::StrCat("render ", model, " --latents ", z, " --npy ", out));
  EXPECT_NE(no_labels.exit_code, 0);
  EXPECT_THAT(no_labels.out, HasSubstr("give --labels FILE.npy or one --label"));
  GanctlRun label_as_latents =
      Ganctl(absl::StrCat("render ", model, " --latents ", z, " --labels ", z, " --npy ", out));
  EXPECT_NE(label_as_latents.exit_code, 0);
  EXPECT_THAT(label_as_latents.out, HasSubstr("holds 800 values"));
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace ganserve::client
