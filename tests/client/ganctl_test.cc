// ganctl end to end: the binary against the fake server on loopback, with
// expectations computed independently (the engine's sampler and PNG codec).

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/latent_sampler.h"
#include "engine/npy.h"
#include "engine/png.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/fake_generator_server.h"
#include "tests/client/ganctl_process.h"

namespace ganserve::client {
namespace {

using ganserve::testing::FakeGeneratorServer;
using ganserve::testing::FakeOptions;
using ganserve::testing::FakePixels;
using ganserve::testing::Ganctl;
using ganserve::testing::GanctlRun;
using ganserve::testing::ReadFile;
using ::testing::HasSubstr;
using ::testing::Not;

class GanctlTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ganserve::testing::FreshTestDir("ganctl_"); }
  void StartServer(FakeOptions options = {}) {
    server_ = FakeGeneratorServer::Start(std::move(options));
  }
  std::string Target() const { return " --target " + server_->target(); }
  std::vector<uint8_t> ExpectedPixels(uint64_t seed, uint64_t index) const {
    std::vector<float> z(16);
    SampleLatent({seed}, index, absl::MakeSpan(z));
    return FakePixels(z, 16);
  }

  std::filesystem::path dir_;
  std::unique_ptr<FakeGeneratorServer> server_;
};

TEST_F(GanctlTest, NoCommandOrUnknownFlagIsAUsageError) {
  EXPECT_EQ(Ganctl("").exit_code, 2);
  EXPECT_EQ(Ganctl("frobnicate").exit_code, 2);
  GanctlRun r = Ganctl("bench --concurency 3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("--concurency"));
  EXPECT_EQ(Ganctl("generate --grid x.png --seed 1 --latents z.npy").exit_code, 2);
}

TEST_F(GanctlTest, EveryCommandHasHelp) {
  for (const char* command : {"info", "health", "generate", "bench"}) {
    GanctlRun r = Ganctl(absl::StrCat(command, " --help"));
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_THAT(r.out, HasSubstr("usage: ganctl ")) << command;
  }
}

TEST_F(GanctlTest, InfoPrintsTheModelMetadata) {
  StartServer();
  GanctlRun r = Ganctl("info" + Target());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("model fake (default)"));
  EXPECT_THAT(r.out, HasSubstr("latent size      16"));
  GanctlRun missing = Ganctl("info --model nope" + Target());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.out, HasSubstr("no model named 'nope'"));
}

TEST_F(GanctlTest, HealthIsZeroWhenServingAndOneWhenDown) {
  StartServer();
  GanctlRun up = Ganctl("health" + Target());
  EXPECT_EQ(up.exit_code, 0) << up.out;
  EXPECT_THAT(up.out, HasSubstr("SERVING"));
  const std::string target = Target();
  server_->Kill();
  EXPECT_EQ(Ganctl("health --timeout 1s" + target).exit_code, 1);
}

TEST_F(GanctlTest, GenerateWritesTheServersImageForEachSeedAndIndex) {
  StartServer();
  GanctlRun r = Ganctl(absl::StrCat("generate -n 3 --seed 7 --out ", dir_.string(), Target()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (int i = 0; i < 3; ++i) {
    auto image = DecodePng(ReadFile(dir_ / absl::StrFormat("seed7_%04d.png", i)));
    ASSERT_TRUE(image.ok()) << image.status();
    EXPECT_EQ(image->pixels, ExpectedPixels(7, i)) << "image " << i;
  }
}

TEST_F(GanctlTest, StreamUsesGenerateStreamAndGivesTheSameImagesAsUnary) {
  StartServer();
  const std::filesystem::path streamed = dir_ / "stream", unary = dir_ / "unary";
  GanctlRun r =
      Ganctl(absl::StrCat("generate -n 2 --seed 3 --stream --out ", streamed.string(), Target()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(server_->stream_calls(), 1);
  EXPECT_EQ(server_->received(), 1);  // and no unary Generate besides
  for (int i = 0; i < 2; ++i) {
    auto image = DecodePng(ReadFile(streamed / absl::StrFormat("seed3_%04d.png", i)));
    ASSERT_TRUE(image.ok()) << image.status();
    EXPECT_EQ(image->pixels, ExpectedPixels(3, i)) << "image " << i;
  }
  r = Ganctl(absl::StrCat("generate -n 2 --seed 3 --out ", unary.string(), Target()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(server_->stream_calls(), 1);  // without --stream: Generate
  EXPECT_EQ(server_->received(), 2);
  EXPECT_EQ(ReadFile(unary / "seed3_0001.png"), ReadFile(streamed / "seed3_0001.png"));
}

TEST_F(GanctlTest, GridIsAContactSheetOfTheTilesEachScaledKTimes) {
  StartServer();
  const std::string grid = (dir_ / "grid.png").string();
  const std::vector<uint8_t> tile3 = ExpectedPixels(5, 3);  // row 1, column 1
  for (int k : {1, 3}) {
    ASSERT_EQ(Ganctl(absl::StrCat("generate -n 4 --seed 5 --scale ", k, " --grid ", grid, Target()))
                  .exit_code,
              0);
    auto sheet = DecodePng(ReadFile(grid));
    ASSERT_TRUE(sheet.ok()) << sheet.status();
    // 2x2 tiles of 4k x 4k with a 2-pixel gutter: 2 + 2*(4k+2), 14 at 1x and 30 at 3x.
    const int side = 2 + 2 * (4 * k + 2), corner = 2 + 4 * k + 2;
    ASSERT_EQ(sheet->width, side);
    ASSERT_EQ(sheet->height, side);
    for (int y = 0; y < 4 * k; ++y) {
      for (int x = 0; x < 4 * k; ++x) {
        EXPECT_EQ(sheet->pixels[(corner + y) * side + corner + x], tile3[(y / k) * 4 + x / k])
            << "scale " << k;
      }
    }
  }
}

TEST_F(GanctlTest, ScaleDefaultsToHundredPixelTilesAndRefusesNegative) {
  StartServer();
  const std::string grid = (dir_ / "grid.png").string();
  ASSERT_EQ(Ganctl(absl::StrCat("generate -n 4 --seed 5 --grid ", grid, Target())).exit_code, 0);
  auto sheet = DecodePng(ReadFile(grid));
  ASSERT_TRUE(sheet.ok()) << sheet.status();
  EXPECT_EQ(sheet->width, 2 + 2 * (100 + 2));  // 4x4 tiles at 25x
  GanctlRun bad = Ganctl(absl::StrCat("generate -n 4 --scale -1 --grid ", grid, Target()));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.out, HasSubstr("--scale must be 0 (auto) to 32"));
}

TEST_F(GanctlTest, OutPathEndingInPngIsTheContactSheetLikeRender) {
  StartServer();
  const std::filesystem::path out = dir_ / "grid.png", grid = dir_ / "ref.png";
  const std::string args = absl::StrCat("generate -n 4 --seed 5 --scale 1", Target());
  GanctlRun r = Ganctl(absl::StrCat(args, " -o ", out.string()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_TRUE(std::filesystem::is_regular_file(out)) << "-o made a folder";
  auto sheet = DecodePng(ReadFile(out));
  ASSERT_TRUE(sheet.ok()) << sheet.status();
  EXPECT_EQ(sheet->width, 14);
  EXPECT_EQ(sheet->height, 14);
  ASSERT_EQ(Ganctl(absl::StrCat(args, " --grid ", grid.string())).exit_code, 0);
  EXPECT_EQ(ReadFile(out), ReadFile(grid));
  ASSERT_EQ(Ganctl(absl::StrCat(args, " -o ", (dir_ / "tiles").string())).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "tiles" / "seed5_0003.png"));
  EXPECT_EQ(Ganctl(absl::StrCat(args, " -o ", out.string(), " --grid ", grid.string())).exit_code,
            2);
}

// Spherical interpolation from a to b at t, written out from its
// definition (Shoemake): sin((1-t)w)/sin(w) a + sin(tw)/sin(w) b, w the
// angle between them.
std::vector<double> SphericalPoint(const std::vector<float>& a, const std::vector<float>& b,
                                   double t) {
  double dot = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += double{a[i]} * b[i];
    aa += double{a[i]} * a[i];
    bb += double{b[i]} * b[i];
  }
  const double w = std::acos(dot / std::sqrt(aa * bb));
  std::vector<double> point(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    point[i] = (std::sin((1 - t) * w) * a[i] + std::sin(t * w) * b[i]) / std::sin(w);
  }
  return point;
}

TEST_F(GanctlTest, InterpolationSendsSphericalLatentsBetweenTheTwoSeeds) {
  StartServer();
  ASSERT_EQ(
      Ganctl(absl::StrCat("generate --interpolate 11 12 --steps 5 --out ", dir_.string(), Target()))
          .exit_code,
      0);
  auto first = DecodePng(ReadFile(dir_ / "interp11-12_0000.png"));
  auto last = DecodePng(ReadFile(dir_ / "interp11-12_0004.png"));
  ASSERT_TRUE(first.ok() && last.ok());
  EXPECT_EQ(first->pixels, ExpectedPixels(11, 0));
  EXPECT_EQ(last->pixels, ExpectedPixels(12, 0));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "interp11-12_0002.png"));

  std::vector<float> a(16), b(16);
  SampleLatent({11}, 0, absl::MakeSpan(a));
  SampleLatent({12}, 0, absl::MakeSpan(b));
  const std::vector<float> sent = server_->last_latents();
  ASSERT_EQ(sent.size(), 5u * 16);
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(sent[i], a[i]);
    EXPECT_EQ(sent[4 * 16 + i], b[i]);
  }
  for (int k = 1; k <= 3; ++k) {
    const double t = k / 4.0;
    const std::vector<double> want = SphericalPoint(a, b, t);
    double off_line = 0;
    for (int i = 0; i < 16; ++i) {
      const double got = sent[k * 16 + i];
      EXPECT_NEAR(got, want[i], 1e-5 * (1 + std::abs(want[i]))) << "step " << k << ", " << i;
      off_line = std::max(off_line, std::abs(got - ((1 - t) * a[i] + t * b[i])));
    }
    // Two random 16-d normal latents are far from parallel: the arc bows
    // well away from the chord between them.
    EXPECT_GT(off_line, 0.05) << "step " << k << " is on the straight line";
  }
}

TEST_F(GanctlTest, LatentsFileIsSentAsIs) {
  StartServer();
  Tensor z({2, 16});
  for (int i = 0; i < 32; ++i) z.data[i] = -3.0f + 6.0f * i / 31;
  const std::string path = (dir_ / "z.npy").string();
  ASSERT_TRUE(WriteNpy(path, z).ok());
  ASSERT_EQ(Ganctl(absl::StrCat("generate --latents ", path, " --out ", dir_.string(), Target()))
                .exit_code,
            0);
  auto second = DecodePng(ReadFile(dir_ / "latent_0001.png"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->pixels, FakePixels(std::vector<float>(z.data.begin() + 16, z.data.end()), 16));
  Tensor wrong({2, 8});
  ASSERT_TRUE(WriteNpy(path, wrong).ok());
  GanctlRun r =
      Ganctl(absl::StrCat("generate --latents ", path, " --out ", dir_.string(), Target()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("want shape (N, 16), got (2, 8)"));
}

TEST_F(GanctlTest, LabelAllMakesOneRowPerClassAndNamesAreResolved) {
  FakeOptions options;
  options.label_names = {"cat", "dog", "fox"};
  StartServer(options);
  GanctlRun r =
      Ganctl(absl::StrCat("generate -n 2 --seed 1 --label all --scale 1 --out ", dir_.string(),
                          " --grid ", (dir_ / "g.png").string(), Target()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("row 2: fox"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "seed1_0001_dog.png"));
  auto sheet = DecodePng(ReadFile(dir_ / "g.png"));
  ASSERT_TRUE(sheet.ok());
  EXPECT_EQ(sheet->height, 2 + 3 * 6);
  EXPECT_EQ(sheet->width, 2 + 2 * 6);
  GanctlRun bad = Ganctl(absl::StrCat("generate --label wolf --out ", dir_.string(), Target()));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.out, HasSubstr("names: cat, dog, fox"));
}

TEST_F(GanctlTest, TokenFileIsSentAsBearer) {
  FakeOptions options;
  options.required_token = "s3cret";
  StartServer(options);
  const std::string token = (dir_ / "token").string();
  std::ofstream(token) << "s3cret\n";
  EXPECT_EQ(Ganctl(absl::StrCat("generate --out ", dir_.string(), Target())).exit_code, 1);
  EXPECT_EQ(
      Ganctl(absl::StrCat("generate --out ", dir_.string(), " --token-file ", token, Target()))
          .exit_code,
      0);
}

TEST_F(GanctlTest, BenchExitsThreeWhenP99IsOverTheLimit) {
  FakeOptions options;
  options.latency = [](int64_t, const auto&) { return absl::Milliseconds(20); };
  StartServer(options);
  GanctlRun breached = Ganctl("bench -c 4 --requests 40 --max-p99 5ms" + Target());
  EXPECT_EQ(breached.exit_code, 3) << breached.out;
  EXPECT_THAT(breached.out, HasSubstr("THRESHOLD BREACHED: p99 latency"));
  GanctlRun passed = Ganctl("bench -c 4 --requests 40 --max-p99 2s --max-error-rate 0" + Target());
  EXPECT_EQ(passed.exit_code, 0) << passed.out;
}

TEST_F(GanctlTest, BenchExitsThreeWhenTheErrorRateIsOverTheLimit) {
  FakeOptions options;
  options.status = [](int64_t n) {
    return n % 2 ? grpc::Status(grpc::StatusCode::INTERNAL, "boom") : grpc::Status::OK;
  };
  StartServer(options);
  GanctlRun r = Ganctl("bench -c 2 --requests 20 --max-error-rate 0.1 --format json" + Target());
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"errors\": 10"));
  EXPECT_THAT(r.out,
              HasSubstr("\"name\": \"INTERNAL\", \"count\": 10, \"first_message\": \"boom\""));
}

// Ganctl() reads stderr through a pipe: `auto` must keep it free of the
// live line; `on` shows what that line would have looked like.
TEST_F(GanctlTest, BenchPrintsNoProgressLineWhenStderrIsNotATerminal) {
  FakeOptions options;
  options.latency = [](int64_t, const auto&) { return absl::Milliseconds(5); };
  StartServer(options);
  const std::string args = "bench -r 50 --duration 600ms --warmup 500ms" + Target();
  GanctlRun quiet = Ganctl(args);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.out;
  EXPECT_THAT(quiet.out, HasSubstr("30 sent"));
  EXPECT_EQ(quiet.out.find('\r'), std::string::npos) << quiet.out;
  EXPECT_THAT(quiet.out, Not(HasSubstr("in flight")));
  GanctlRun shown = Ganctl(args + " --progress on");
  ASSERT_EQ(shown.exit_code, 0) << shown.out;
  EXPECT_THAT(shown.out, HasSubstr("\r\033[K["));
  EXPECT_THAT(shown.out, HasSubstr("] warm-up "));
  EXPECT_THAT(shown.out, HasSubstr(" in flight"));
}

// Each of the K channels has its own TCP connection, so the server sees K
// client addresses, and request n goes to channel n % K.
TEST_F(GanctlTest, BenchConnectionsSpreadsCallsEvenlyOverThatManyConnections) {
  StartServer();
  GanctlRun r = Ganctl("bench -c 6 --requests 60 --connections 3" + Target());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("3 connection(s)"));
  const std::map<std::string, int64_t> calls = server_->calls_by_peer();
  EXPECT_EQ(calls.size(), 3u);
  for (const auto& [peer, count] : calls) EXPECT_EQ(count, 20) << peer;

  auto single = FakeGeneratorServer::Start({});
  ASSERT_EQ(Ganctl("bench -c 6 --requests 60 --target " + single->target()).exit_code, 0);
  EXPECT_EQ(single->calls_by_peer().size(), 1u);
}

// Every other call takes 400 ms against a 100 ms deadline: those are
// DEADLINE_EXCEEDED in the report (text and JSON), the rest OK.
TEST_F(GanctlTest, BenchDeadlineCountsSlowCallsAsDeadlineExceeded) {
  FakeOptions options;
  options.latency = [](int64_t n, const auto&) { return absl::Milliseconds(n % 2 ? 400 : 2); };
  StartServer(options);
  GanctlRun r = Ganctl("bench -c 2 --requests 10 --deadline 100ms --format json" + Target());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"errors\": 5,"));
  EXPECT_THAT(r.out, HasSubstr("\"name\": \"DEADLINE_EXCEEDED\", \"count\": 5"));
  EXPECT_THAT(r.out, HasSubstr("\"name\": \"OK\", \"count\": 5"));
  GanctlRun text = Ganctl("bench -c 2 --requests 4 --deadline 100ms" + Target());
  EXPECT_THAT(text.out, HasSubstr("DEADLINE_EXCEEDED"));
}

TEST_F(GanctlTest, BenchRoundRobinsOverSeveralTargets) {
  auto a = FakeGeneratorServer::Start({});
  auto b = FakeGeneratorServer::Start({});
  GanctlRun r = Ganctl(absl::StrCat("bench -c 4 --requests 200 --format csv --target ", a->target(),
                                    ",", b->target()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(a->received() + b->received(), 200);
  EXPECT_NEAR(a->received(), 100, 20);
  EXPECT_THAT(r.out, HasSubstr("target,mode,concurrency"));
}

}  // namespace
}  // namespace ganserve::client
