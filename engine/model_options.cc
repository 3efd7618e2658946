#include "engine/model_options.h"

#include "absl/strings/str_cat.h"
#include "engine/file_contents.h"
#include "engine/status_context.h"
#include "nlohmann/json.hpp"

namespace ganserve {
namespace {

using nlohmann::json;

absl::Status Bad(const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("model.json: ", what));
}

absl::Status ParseInto(const json& root, ModelOptions& options) {
  if (!root.is_object()) return Bad("expected a JSON object at the top level");
  for (const auto& [key, value] : root.items()) {
    if (key == "labels") {
      if (!value.is_array()) return Bad("\"labels\" must be an array of strings");
      for (const json& label : value) {
        if (!label.is_string()) return Bad("\"labels\" must be an array of strings");
        options.labels.push_back(label.get<std::string>());
      }
    } else if (key == "output_range") {
      if (!value.is_array() || value.size() != 2 || !value[0].is_number() ||
          !value[1].is_number() || !(value[0].get<float>() < value[1].get<float>())) {
        return Bad("\"output_range\" must be [min, max] with min < max");
      }
      options.output_range = {value[0].get<float>(), value[1].get<float>()};
    } else if (key == "latent_distribution") {
      const std::string name = value.is_string() ? value.get<std::string>() : "";
      if (name == "normal") {
        options.latent_distribution = Distribution::kNormal;
      } else if (name == "uniform") {
        options.latent_distribution = Distribution::kUniform;
      } else {
        return Bad("\"latent_distribution\" must be \"normal\" or \"uniform\"");
      }
    } else if (key == "layout") {
      const std::string name = value.is_string() ? value.get<std::string>() : "";
      if (name == "NHWC" || name == "HWC") {
        options.layout = SampleLayout::kChannelsLast;
      } else if (name == "NCHW" || name == "CHW") {
        options.layout = SampleLayout::kChannelsFirst;
      } else {
        return Bad("\"layout\" must be \"NHWC\" or \"NCHW\"");
      }
    } else if (key == "output_shape") {
      if (!value.is_array() || value.size() != 3) {
        return Bad("\"output_shape\" must be three positive integers");
      }
      Dims dims;
      for (const json& d : value) {
        if (!d.is_number_integer() || d.get<int64_t>() <= 0 || d.get<int64_t>() > 65536) {
          return Bad("\"output_shape\" must be three positive integers");
        }
        dims.push_back(d.get<int64_t>());
      }
      options.output_shape = dims;
    } else if (key == "precision") {
      absl::StatusOr<Precision> precision =
          ParsePrecision(value.is_string() ? value.get<std::string>() : "");
      if (!precision.ok()) return Bad("\"precision\" must be \"f32\", \"bf16\" or \"auto\"");
      options.precision = *precision;
    } else {
      return Bad(absl::StrCat("unknown key \"", key,
                              "\" (expected labels, output_range, latent_distribution, "
                              "layout, output_shape, precision)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ModelOptions> ParseModelOptions(const std::string& json_text) {
  json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Bad("not valid JSON");
  ModelOptions options;
  absl::Status status = ParseInto(root, options);
  if (!status.ok()) return status;
  return options;
}

absl::StatusOr<ModelOptions> ReadModelOptionsFile(const std::string& path) {
  const std::optional<std::string> text = ReadFileContents(path);
  if (!text) return ModelOptions{};
  auto options = ParseModelOptions(*text);
  if (!options.ok()) {
    return WithPrefix(path, options.status());
  }
  return options;
}

}  // namespace ganserve
