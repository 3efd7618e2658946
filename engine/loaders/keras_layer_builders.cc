#include "engine/loaders/keras_layer_builders.h"

#include <cmath>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/ops/softmax.h"
#include "engine/status_macros.h"

namespace ganserve {

using nlohmann::json;

absl::Status KerasLayerContext::Error(const std::string& what) const {
  return absl::InvalidArgumentError(absl::StrCat("layer '", name, "' (", class_name, "): ", what));
}

absl::Status KerasLayerContext::Unsupported(const std::string& what) const {
  return absl::UnimplementedError(absl::StrCat("layer '", name, "' (", class_name, "): ", what));
}

absl::StatusOr<int64_t> KerasLayerContext::Int(const char* key, int64_t fallback) const {
  if (!config.is_object() || !config.contains(key) || config[key].is_null()) return fallback;
  if (!config[key].is_number_integer()) return Error(absl::StrCat("'", key, "' is not an integer"));
  return config[key].get<int64_t>();
}

absl::StatusOr<float> KerasLayerContext::Float(const char* key, float fallback) const {
  if (!config.is_object() || !config.contains(key) || config[key].is_null()) return fallback;
  if (!config[key].is_number()) return Error(absl::StrCat("'", key, "' is not a number"));
  const double v = config[key].get<double>();
  if (!std::isfinite(v)) return Error(absl::StrCat("'", key, "' is not finite"));
  return static_cast<float>(v);
}

absl::StatusOr<bool> KerasLayerContext::Bool(const char* key, bool fallback) const {
  if (!config.is_object() || !config.contains(key) || config[key].is_null()) return fallback;
  if (!config[key].is_boolean()) return Error(absl::StrCat("'", key, "' is not a boolean"));
  return config[key].get<bool>();
}

absl::StatusOr<std::string> KerasLayerContext::String(const char* key,
                                                      const std::string& fallback) const {
  if (!config.is_object() || !config.contains(key) || config[key].is_null()) return fallback;
  if (!config[key].is_string()) return Error(absl::StrCat("'", key, "' is not a string"));
  return config[key].get<std::string>();
}

absl::StatusOr<std::vector<int64_t>> KerasLayerContext::Ints(const char* key,
                                                             std::vector<int64_t> fallback,
                                                             size_t n) const {
  if (!config.is_object() || !config.contains(key) || config[key].is_null()) return fallback;
  const json& v = config[key];
  if (v.is_number_integer()) return std::vector<int64_t>(n, v.get<int64_t>());
  if (!v.is_array() || v.size() != n) {
    return Error(absl::StrCat("'", key, "' is not an integer or a list of ", n));
  }
  std::vector<int64_t> out;
  for (const json& e : v) {
    if (!e.is_number_integer()) return Error(absl::StrCat("'", key, "' holds a non-integer"));
    out.push_back(e.get<int64_t>());
  }
  return out;
}

absl::StatusOr<Activation> KerasLayerContext::NamedActivation(const std::string& name) {
  if (name == "softmax" || name == "log_softmax") {
    then.push_back({"activation", std::make_shared<const SoftmaxOp>(-1, name == "log_softmax")});
    return Activation::Linear();
  }
  auto activation = Activation::FromKerasName(name, dialect.keras_major);
  if (!activation.ok()) return Unsupported(std::string(activation.status().message()));
  return activation;
}

absl::StatusOr<Activation> KerasLayerContext::SerializedActivation(const char* key,
                                                                   const json& object) {
  const json& cls = object.value("class_name", json());
  if (!cls.is_string()) {
    return Unsupported(absl::StrCat("'", key, "' is an object without a class_name"));
  }
  const std::string class_name = cls.get<std::string>();
  const json& inner = object.value("config", json::object());
  // Keras 3 writes a built-in function as {"class_name": "function", "config": "relu"}.
  if (class_name == "function" && inner.is_string())
    return NamedActivation(inner.get<std::string>());
  static constexpr absl::string_view kActivationLayers[] = {"Activation", "LeakyReLU", "ReLU",
                                                            "ELU", "Softmax"};
  if (FindKerasLayerBuilder(class_name) != nullptr &&
      absl::c_find(kActivationLayers, class_name) == std::end(kActivationLayers)) {
    return Unsupported(
        absl::StrCat("'", key, "' is a serialized '", class_name, "' layer, not an activation"));
  }
  KerasLayerBuilder build = FindKerasLayerBuilder(class_name);
  if (build == nullptr || !inner.is_object()) {
    return Unsupported(absl::StrCat("'", key, "' is a serialized '", class_name,
                                    "', not a built-in activation (custom activations cannot be "
                                    "loaded)"));
  }
  KerasLayerContext layer{absl::StrCat(name, "/", key), class_name, inner, inputs, {}, dialect, {}};
  GS_ASSIGN_OR_RETURN(std::shared_ptr<const Op> op, build(layer));
  if (const Activation* act = op->OutputActivation()) return *act;
  then.push_back(
      {"activation", std::move(op)});  // a SoftmaxOp: Softmax, or Activation naming softmax
  return Activation::Linear();
}

absl::StatusOr<Activation> KerasLayerContext::ActivationAt(const char* key) {
  if (!config.is_object() || !config.contains(key) || config[key].is_null()) {
    return Activation::Linear();
  }
  const json& value = config[key];
  if (value.is_string()) return NamedActivation(value.get<std::string>());
  if (value.is_object()) return SerializedActivation(key, value);
  return Unsupported(absl::StrCat("'", key, "' is neither an activation name nor an object"));
}

absl::Status KerasLayerContext::RequireChannelsLast() const {
  auto format = String("data_format", "channels_last");
  if (!format.ok()) return format.status();
  if (*format != "channels_last") {
    return Unsupported(
        absl::StrCat("data_format '", *format, "' is not supported (only channels_last)"));
  }
  return absl::OkStatus();
}

absl::Status KerasLayerContext::ExpectWeights(const std::vector<std::string>& names,
                                              const std::vector<Dims>& shapes) const {
  if (weights.size() != names.size()) {
    return Error(absl::StrCat("the file holds ", weights.size(),
                              " weight arrays, the config implies ", names.size(), " (",
                              absl::StrJoin(names, ", "), ")"));
  }
  for (size_t i = 0; i < names.size() && i < shapes.size(); ++i) {
    if (!shapes[i].empty() && weights[i].shape != shapes[i]) {
      return Error(absl::StrCat(names[i], " has shape ", DimsToString(weights[i].shape),
                                ", the config implies ", DimsToString(shapes[i])));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> KerasLayerContext::SampleAxis(int64_t keras_axis, size_t rank) const {
  const int64_t full_rank = static_cast<int64_t>(rank) + 1;
  const int64_t axis = keras_axis < 0 ? keras_axis + full_rank : keras_axis;
  if (axis <= 0 || axis >= full_rank) {
    return Error(absl::StrCat("axis ", keras_axis, " is not a per-sample axis of a rank-",
                              full_rank, " tensor"));
  }
  return static_cast<int>(axis - 1);
}

KerasLayerBuilder FindKerasLayerBuilder(const std::string& class_name) {
  static const std::vector<KerasLayerEntry>* table = [] {
    auto* all = new std::vector<KerasLayerEntry>(KerasWeightedLayers());
    for (const auto& e : KerasShapeLayers()) all->push_back(e);
    return all;
  }();
  for (const auto& e : *table) {
    if (class_name == e.class_name) return e.build;
  }
  return nullptr;
}

}  // namespace ganserve
