#include "server/http_images.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/contact_sheet.h"
#include "engine/latent_interpolation.h"
#include "engine/latent_sampler.h"
#include "engine/status_macros.h"
#include "server/cached_generation.h"

namespace ganserve {
namespace {

constexpr int kMaxScale = 8;
constexpr int kMaxSteps = 64;
constexpr int64_t kMaxSheetPixels = int64_t{1} << 26;

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

absl::Status OnlyKnown(const Query& query, const std::set<std::string>& known) {
  for (const auto& [name, value] : query) {
    if (!known.count(name)) {
      return Invalid(absl::StrCat("unknown query parameter \"", name,
                                  "\"; this path takes: ", absl::StrJoin(known, ", ")));
    }
  }
  return absl::OkStatus();
}

template <class Int>
absl::StatusOr<Int> IntParam(const Query& query, const std::string& name, Int fallback, Int lo,
                             Int hi) {
  auto it = query.find(name);
  if (it == query.end()) return fallback;
  Int value{};
  if (!absl::SimpleAtoi(it->second, &value) || value < lo || value > hi) {
    return Invalid(absl::StrCat(name, " must be an integer from ", lo, " to ", hi, ", got \"",
                                it->second, "\""));
  }
  return value;
}

absl::StatusOr<uint64_t> SeedParam(const std::string& text, const std::string& name) {
  uint64_t seed = 0;
  if (text.empty() || !absl::ascii_isdigit(text[0]) || !absl::SimpleAtoi(text, &seed)) {
    return Invalid(absl::StrCat(name, " must be an integer from 0 to 18446744073709551615, got \"",
                                text, "\""));
  }
  return seed;
}

absl::StatusOr<float> TruncationParam(const Query& query) {
  auto it = query.find("truncation");
  if (it == query.end()) return 0.0f;
  float value = 0;
  if (!absl::SimpleAtof(it->second, &value) || !std::isfinite(value)) {
    return Invalid(absl::StrCat("truncation must be a number, got \"", it->second, "\""));
  }
  return value;  // its range is PrepareGeneration's to check
}

// Sets labels for `count` images: the query's one label for all, else
// index mod label_count from `first_index` (`fallback_all` for the strip).
absl::Status Labels(const LoadedGenerator& generator, const Query& query, int64_t count,
                    uint64_t first_index, bool cycle, GenerationRequest& request) {
  auto it = query.find("label");
  if (it != query.end()) {
    int32_t label = 0;
    if (absl::SimpleAtoi(it->second, &label)) {
      request.labels = {label};
    } else {
      request.label_names = {it->second};
    }
    return absl::OkStatus();  // unconditional models refuse it in PrepareGeneration
  }
  if (!generator.conditional()) return absl::OkStatus();
  const int64_t k = generator.label_count();
  for (int64_t i = 0; i < count; ++i) {
    request.labels.push_back(cycle ? static_cast<int32_t>((first_index + i) % k) : 0);
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ScaleParam(const LoadedGenerator& generator, const Query& query) {
  return IntParam<int>(query, "scale",
                       std::min(AutoSheetScale(generator.height(), generator.width()), kMaxScale),
                       1, kMaxScale);
}

absl::Status CheckSheetSize(const LoadedGenerator& generator, const ImagePlan& plan,
                            int64_t count) {
  const int64_t columns = std::min<int64_t>(plan.columns, count);
  const int64_t rows = (count + plan.columns - 1) / plan.columns;
  const int64_t pixels =
      rows * generator.height() * plan.scale * columns * generator.width() * plan.scale;
  if (pixels > kMaxSheetPixels) {
    return Invalid(absl::StrCat("the sheet would be ", pixels, " pixels; at most ", kMaxSheetPixels,
                                ": ask for fewer images or a smaller scale"));
  }
  return absl::OkStatus();
}

std::string Canonical(const ImagePlan& plan, const Query& query) {
  return absl::StrCat(static_cast<int>(plan.layout), "|", plan.request.seed, "|",
                      plan.request.first_index, "|", plan.request.count, "|",
                      absl::StrJoin(plan.request.labels, ","), "|",
                      absl::StrJoin(plan.request.label_names, ","), "|",
                      query.count("truncation") ? query.at("truncation") : "0", "|", plan.columns,
                      "|", plan.scale, "|", query.count("from") ? query.at("from") : "", "|",
                      query.count("to") ? query.at("to") : "");
}

uint64_t Fnv1a(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

}  // namespace

absl::StatusOr<ImagePlan> PlanSingleImage(const Servable& servable, const std::string& seed_text,
                                          const Query& query) {
  GS_RETURN_IF_ERROR(OnlyKnown(query, {"index", "label", "truncation"}));
  ImagePlan plan;
  GenerationRequest& r = plan.request;
  GS_ASSIGN_OR_RETURN(r.seed, SeedParam(seed_text, "the seed in the path"));
  GS_ASSIGN_OR_RETURN(r.first_index, IntParam<uint64_t>(query, "index", 0, 0, uint64_t{1} << 53));
  GS_ASSIGN_OR_RETURN(r.truncation, TruncationParam(query));
  r.count = 1;
  r.encoding = ImageEncoding::kPng;
  GS_RETURN_IF_ERROR(Labels(*servable.generator, query, 1, r.first_index, true, r));
  plan.canonical = Canonical(plan, query);
  return plan;
}

absl::StatusOr<ImagePlan> PlanGrid(const Servable& servable, const Query& query) {
  GS_RETURN_IF_ERROR(OnlyKnown(query, {"seed", "n", "label", "truncation", "columns", "scale"}));
  ImagePlan plan;
  plan.layout = ImageLayout::kGrid;
  GenerationRequest& r = plan.request;
  auto seed = query.find("seed");
  GS_ASSIGN_OR_RETURN(r.seed, SeedParam(seed == query.end() ? "0" : seed->second, "seed"));
  GS_ASSIGN_OR_RETURN(r.count, IntParam<int64_t>(query, "n", 16, 1, 1 << 20));
  GS_ASSIGN_OR_RETURN(r.truncation, TruncationParam(query));
  r.encoding = ImageEncoding::kRawUint8;
  const int square = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(r.count))));
  GS_ASSIGN_OR_RETURN(plan.columns, IntParam<int>(query, "columns", square, 1, 1 << 20));
  GS_ASSIGN_OR_RETURN(plan.scale, ScaleParam(*servable.generator, query));
  GS_RETURN_IF_ERROR(CheckSheetSize(*servable.generator, plan, r.count));
  GS_RETURN_IF_ERROR(Labels(*servable.generator, query, r.count, 0, true, r));
  plan.canonical = Canonical(plan, query);
  return plan;
}

absl::StatusOr<ImagePlan> PlanStrip(const Servable& servable, const Query& query) {
  GS_RETURN_IF_ERROR(OnlyKnown(query, {"from", "to", "steps", "label", "truncation", "scale"}));
  const LoadedGenerator& generator = *servable.generator;
  ImagePlan plan;
  plan.layout = ImageLayout::kStrip;
  auto from = query.find("from"), to = query.find("to");
  GS_ASSIGN_OR_RETURN(uint64_t from_seed,
                      SeedParam(from == query.end() ? "" : from->second, "from"));
  GS_ASSIGN_OR_RETURN(uint64_t to_seed, SeedParam(to == query.end() ? "" : to->second, "to"));
  GS_ASSIGN_OR_RETURN(const int steps, IntParam<int>(query, "steps", 8, 2, kMaxSteps));
  GS_ASSIGN_OR_RETURN(const float truncation, TruncationParam(query));
  GS_ASSIGN_OR_RETURN(plan.scale, ScaleParam(generator, query));
  plan.columns = steps;
  GS_RETURN_IF_ERROR(CheckSheetSize(generator, plan, steps));
  // The ends are what a seeded request would draw, so the strip's first and
  // last images are images/{from}.png and images/{to}.png at index 0.
  GenerationRequest ends;
  ends.seed = from_seed;
  ends.count = 1;
  ends.truncation = truncation;
  if (generator.conditional()) ends.labels = {0};  // only the sampling is checked here
  GS_RETURN_IF_ERROR(PrepareGeneration(generator, ends, {}).status());
  const int64_t z = generator.latent_size();
  const SamplingSpec spec_from{from_seed, generator.default_distribution(), truncation};
  const SamplingSpec spec_to{to_seed, generator.default_distribution(), truncation};
  std::vector<float> a = SampleLatents(spec_from, 1, z), b = SampleLatents(spec_to, 1, z);
  GenerationRequest& r = plan.request;
  r.latents = SlerpPath(a, b, steps);
  r.encoding = ImageEncoding::kRawUint8;
  GS_RETURN_IF_ERROR(Labels(generator, query, steps, 0, false, r));
  plan.canonical = Canonical(plan, query);
  return plan;
}

std::string ImageETag(const Servable& servable, const ImagePlan& plan) {
  return absl::StrCat(
      "\"", ModelIdentity(servable), "-",
      absl::Hex(Fnv1a(absl::StrCat(servable.name, "|", plan.canonical)), absl::kZeroPad16), "\"");
}

bool MatchesETag(const std::string& if_none_match, const std::string& etag) {
  for (absl::string_view tag : absl::StrSplit(if_none_match, ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    if (tag == "*") return true;
    absl::ConsumePrefix(&tag, "W/");
    if (tag == etag) return true;
  }
  return false;
}

absl::StatusOr<std::string> ComposeSheet(const LoadedGenerator& generator, const ImagePlan& plan,
                                         const std::vector<std::string>& images) {
  std::vector<Image8> tiles;
  for (const std::string& pixels : images) {
    tiles.push_back({generator.height(), generator.width(), generator.channels(),
                     std::vector<uint8_t>(pixels.begin(), pixels.end())});
  }
  GS_ASSIGN_OR_RETURN(Image8 sheet, MakeContactSheet(ToRows(std::move(tiles), plan.columns),
                                                     /*gutter=*/2, plan.scale));
  return EncodePng(sheet);
}

}  // namespace ganserve
