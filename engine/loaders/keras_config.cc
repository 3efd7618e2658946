#include "engine/loaders/keras_config.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

using nlohmann::json;

absl::Status Bad(const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("Keras model config: ", what));
}

std::string StringOr(const json& j, const char* key, const std::string& fallback = "") {
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return fallback;
}

// A shape list with the batch axis first; every per-sample axis must be known.
absl::StatusOr<Dims> PerSampleDims(const json& shape, const std::string& where) {
  if (!shape.is_array() || shape.empty()) return Bad(absl::StrCat(where, " is not a shape list"));
  Dims dims;
  for (size_t i = 1; i < shape.size(); ++i) {
    if (!shape[i].is_number_integer() || shape[i].get<int64_t>() <= 0) {
      return Bad(absl::StrCat(where, " has an unknown or invalid dimension at axis ", i,
                              " (ganserve needs fixed input shapes)"));
    }
    dims.push_back(shape[i].get<int64_t>());
  }
  return dims;
}

// Collects producer names from one Keras 3 call argument, which may be a
// __keras_tensor__ or a (nested) list of them.
void CollectKerasTensors(const json& arg, std::vector<std::string>& names) {
  if (arg.is_array()) {
    for (const json& a : arg) CollectKerasTensors(a, names);
  } else if (arg.is_object() && StringOr(arg, "class_name") == "__keras_tensor__" &&
             arg.contains("config") && arg["config"].is_object()) {
    const json& history = arg["config"].value("keras_history", json());
    if (history.is_array() && !history.empty() && history[0].is_string()) {
      names.push_back(history[0].get<std::string>());
    }
  }
}

absl::StatusOr<std::vector<std::string>> ParseInbound(const json& nodes, const std::string& layer) {
  std::vector<std::string> names;
  if (nodes.is_null()) return names;
  if (!nodes.is_array())
    return Bad(absl::StrCat("layer '", layer, "' has malformed inbound_nodes"));
  if (nodes.size() > 1) {
    return absl::UnimplementedError(absl::StrCat("layer '", layer, "' is called ", nodes.size(),
                                                 " times; shared layers are not supported"));
  }
  for (const json& node : nodes) {
    if (node.is_object()) {  // Keras 3: {"args": [...], "kwargs": {...}}
      CollectKerasTensors(node.value("args", json::array()), names);
    } else if (node.is_array()) {  // Keras 2: [[name, node_index, tensor_index, kwargs], ...]
      for (const json& entry : node) {
        if (entry.is_array() && !entry.empty() && entry[0].is_string()) {
          names.push_back(entry[0].get<std::string>());
        } else {
          return Bad(absl::StrCat("layer '", layer, "' has a malformed inbound node"));
        }
      }
    } else {
      return Bad(absl::StrCat("layer '", layer, "' has a malformed inbound node"));
    }
  }
  return names;
}

// input_layers / output_layers: a list of [name, node, tensor] triples, or a
// single bare triple (Keras 3 with one input).
absl::StatusOr<std::vector<std::string>> ParseEndpoints(const json& list, const char* key) {
  std::vector<std::string> names;
  if (!list.is_array()) return Bad(absl::StrCat("'", key, "' is missing or not a list"));
  if (!list.empty() && list[0].is_string()) {
    names.push_back(list[0].get<std::string>());
    return names;
  }
  for (const json& e : list) {
    if (!e.is_array() || e.empty() || !e[0].is_string()) {
      return Bad(absl::StrCat("'", key, "' has a malformed entry"));
    }
    names.push_back(e[0].get<std::string>());
  }
  return names;
}

absl::StatusOr<KerasModelSpec> ParseModel(const json& doc, int depth);

absl::StatusOr<KerasLayerSpec> ParseLayer(const json& entry, int depth) {
  if (!entry.is_object()) return Bad("a layer entry is not an object");
  KerasLayerSpec layer;
  layer.class_name = StringOr(entry, "class_name");
  if (layer.class_name.empty()) return Bad("a layer has no class_name");
  layer.config = entry.value("config", json::object());
  if (!layer.config.is_object() && !layer.config.is_array()) {
    return Bad(absl::StrCat("a ", layer.class_name, " layer has no config object"));
  }
  layer.name = StringOr(entry, "name", StringOr(layer.config, "name"));
  if (layer.name.empty()) return Bad(absl::StrCat("a ", layer.class_name, " layer has no name"));
  GS_ASSIGN_OR_RETURN(layer.inbound,
                      ParseInbound(entry.value("inbound_nodes", json()), layer.name));
  if (IsKerasModelClass(layer.class_name)) {
    GS_ASSIGN_OR_RETURN(KerasModelSpec nested, ParseModel(entry, depth + 1));
    if (nested.name.empty()) nested.name = layer.name;
    layer.nested = std::make_shared<KerasModelSpec>(std::move(nested));
  }
  return layer;
}

// The <=2.1 Sequential config is the layer list itself; later ones are
// {"name": ..., "layers": [...], "build_input_shape": ...}.
absl::Status FinishSequential(const json& config, KerasModelSpec& model, int depth) {
  const json& list = config.is_array() ? config : config.value("layers", json());
  if (!list.is_array()) return Bad("Sequential config has no layer list");
  for (const json& entry : list) {
    GS_ASSIGN_OR_RETURN(KerasLayerSpec layer, ParseLayer(entry, depth));
    layer.inbound.clear();
    model.layers.push_back(std::move(layer));
  }
  if (model.layers.empty()) return Bad(absl::StrCat("Sequential '", model.name, "' has no layers"));
  if (model.layers[0].class_name != "InputLayer") {
    KerasLayerSpec input;
    input.class_name = "InputLayer";
    input.name = absl::StrCat(model.name, "_input");
    input.config = json::object();
    GS_ASSIGN_OR_RETURN(auto dims,
                        InputDimsFromLayerConfig(model.layers[0].config, model.layers[0].name));
    if (!dims && config.is_object() && config.contains("build_input_shape") &&
        !config["build_input_shape"].is_null()) {
      GS_ASSIGN_OR_RETURN(dims, PerSampleDims(config["build_input_shape"],
                                              absl::StrCat(model.name, " build_input_shape")));
    }
    if (dims) {
      json shape = json::array({nullptr});
      for (int64_t d : *dims) shape.push_back(d);
      input.config["batch_input_shape"] = shape;
    }
    model.layers.insert(model.layers.begin(), std::move(input));
  }
  for (size_t i = 1; i < model.layers.size(); ++i) {
    model.layers[i].inbound = {model.layers[i - 1].name};
  }
  model.input_layers = {model.layers[0].name};
  model.output_layer = model.layers.back().name;
  return absl::OkStatus();
}

absl::StatusOr<KerasModelSpec> ParseModel(const json& doc, int depth) {
  if (depth > 16) return Bad("models nested more than 16 deep");
  if (!doc.is_object()) return Bad("the model config is not a JSON object");
  KerasModelSpec model;
  model.class_name = StringOr(doc, "class_name");
  if (!IsKerasModelClass(model.class_name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the top-level object is a '", model.class_name,
        "', not a Sequential or Functional model (custom model subclasses cannot be loaded)"));
  }
  const json& config = doc.value("config", json());
  model.name = StringOr(config, "name", StringOr(doc, "name", "model"));
  if (model.class_name == "Sequential") {
    model.sequential = true;
    GS_RETURN_IF_ERROR(FinishSequential(config, model, depth));
    return model;
  }
  if (!config.is_object() || !config.contains("layers") || !config["layers"].is_array()) {
    return Bad(absl::StrCat("model '", model.name, "' has no layer list"));
  }
  for (const json& entry : config["layers"]) {
    GS_ASSIGN_OR_RETURN(KerasLayerSpec layer, ParseLayer(entry, depth));
    model.layers.push_back(std::move(layer));
  }
  GS_ASSIGN_OR_RETURN(model.input_layers,
                      ParseEndpoints(config.value("input_layers", json()), "input_layers"));
  GS_ASSIGN_OR_RETURN(auto outputs,
                      ParseEndpoints(config.value("output_layers", json()), "output_layers"));
  if (outputs.size() != 1) {
    return absl::UnimplementedError(absl::StrCat("model '", model.name, "' has ", outputs.size(),
                                                 " outputs; a generator must have exactly one"));
  }
  model.output_layer = outputs[0];
  return model;
}

}  // namespace

bool IsKerasModelClass(const std::string& class_name) {
  return class_name == "Sequential" || class_name == "Functional" || class_name == "Model";
}

absl::StatusOr<std::optional<Dims>> InputDimsFromLayerConfig(const json& layer,
                                                             const std::string& layer_name) {
  if (!layer.is_object()) return std::optional<Dims>();
  for (const char* key : {"batch_input_shape", "batch_shape"}) {
    if (layer.contains(key) && !layer[key].is_null()) {
      GS_ASSIGN_OR_RETURN(Dims dims, PerSampleDims(layer[key], absl::StrCat(layer_name, " ", key)));
      return std::optional<Dims>(std::move(dims));
    }
  }
  return std::optional<Dims>();
}

absl::StatusOr<KerasModelSpec> ParseKerasModelConfig(const std::string& model_config) {
  json doc = json::parse(model_config, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Bad("model_config is not valid JSON");
  return ParseModel(doc, 0);
}

}  // namespace ganserve
