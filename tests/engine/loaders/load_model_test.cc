// LoadModel (engine/loaders/load_model.h) picks the loader by the file's
// first bytes, so a Keras file loads whatever it is called: the Keras
// fixtures are copied under other names (.hdf5, no extension, the other
// format's extension) and must load as the same model, with the name from
// their config and the oracle's outputs.
#include "engine/loaders/load_model.h"

#include <filesystem>
#include <ostream>
#include <string>

#include "gtest/gtest.h"
#include "tests/engine/loaders/keras/keras_test_util.h"

namespace ganserve {
namespace {

namespace fs = std::filesystem;

struct Renamed {
  const char* fixture;  // in tests/fixtures/keras/
  const char* name;     // what the copy is called
  const char* format;
  const char* model_name;  // the config's "name", as make_keras_fixtures.py wrote it
};

void PrintTo(const Renamed& r, std::ostream* os) { *os << r.fixture << " as " << r.name; }

class LoadModelByContent : public ::testing::TestWithParam<Renamed> {};

TEST_P(LoadModelByContent, KerasFileLoadsUnderAnyName) {
  const Renamed& r = GetParam();
  const std::string original = SourceDir() + "/tests/fixtures/keras/" + r.fixture;
  // One folder per case: ctest runs the cases in parallel processes.
  const fs::path dir =
      fs::path(::testing::TempDir()) / (std::string("load_model_") + r.fixture + "_" + r.name);
  fs::create_directories(dir);
  const fs::path copy = dir / r.name;
  fs::copy_file(original, copy, fs::copy_options::overwrite_existing);

  auto model = LoadModel(copy.string());
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->format, r.format);
  EXPECT_EQ(model->model_name, r.model_name);
  auto err = RelativeErrorOnSavedInputs(*model, original + ".expected");
  ASSERT_TRUE(err.ok()) << err.status();
  EXPECT_LT(*err, 1e-4);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, LoadModelByContent,
    ::testing::Values(Renamed{"tf29_functional_cgan.h5", "generator.hdf5", "keras-h5", "cgan"},
                      Renamed{"tf29_functional_cgan.h5", "generator", "keras-h5", "cgan"},
                      Renamed{"tf29_functional_cgan.h5", "generator.keras", "keras-h5", "cgan"},
                      Renamed{"tf29_functional_cgan.h5", "generator.onnx", "keras-h5", "cgan"},
                      Renamed{"k38_cgan.keras", "generator.h5", "keras-zip", "cgan3"},
                      Renamed{"k38_cgan.keras", "generator.zip", "keras-zip", "cgan3"}),
    [](const auto& info) {
      std::string name = std::string(info.param.fixture) + "_as_" + info.param.name;
      for (char& c : name) {
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace ganserve
