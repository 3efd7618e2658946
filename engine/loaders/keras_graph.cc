#include "engine/loaders/keras_graph.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "engine/graph_builder.h"
#include "engine/loaders/keras_layer_builders.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

class KerasGraphBuilder {
 public:
  KerasGraphBuilder(const KerasWeightSource& weights, KerasDialect dialect)
      : weights_(weights), dialect_(dialect) {}

  // Adds `model`'s layers. At the top level (`outer_inputs` null) its inputs
  // become graph inputs; nested, its inputs are the outer producers. Returns
  // the node of the model's output.
  absl::StatusOr<int> AddModel(const KerasModelSpec& model,
                               const std::vector<KerasLayerKey>& prefix,
                               const std::vector<int>* outer_inputs) {
    std::map<std::string, int> ids;
    std::vector<KerasLayerKey> keys = LayerKeys(model);
    for (size_t i = 0; i < model.input_layers.size(); ++i) {
      const std::string& name = model.input_layers[i];
      const int index = LayerIndex(model, name);
      if (index < 0 || model.layers[index].class_name != "InputLayer") {
        return absl::InvalidArgumentError(
            absl::StrCat("model '", model.name, "': input '", name, "' is not an InputLayer"));
      }
      if (outer_inputs != nullptr) {
        if (outer_inputs->size() != model.input_layers.size()) {
          return absl::InvalidArgumentError(
              absl::StrCat("nested model '", model.name, "' takes ", model.input_layers.size(),
                           " inputs but is called with ", outer_inputs->size()));
        }
        ids[name] = (*outer_inputs)[i];
      } else {
        GS_ASSIGN_OR_RETURN(ids[name], AddInput(model, index, prefix, keys));
      }
    }
    // Layers are usually listed in topological order; loop until every layer
    // has its producers, so an unusual order still loads.
    std::vector<bool> done(model.layers.size(), false);
    for (size_t i = 0; i < model.layers.size(); ++i) done[i] = ids.count(model.layers[i].name) > 0;
    bool progress = true;
    while (progress) {
      progress = false;
      for (size_t i = 0; i < model.layers.size(); ++i) {
        const KerasLayerSpec& layer = model.layers[i];
        if (done[i]) continue;
        std::vector<int> inputs;
        bool ready = true;
        for (const std::string& producer : layer.inbound) {
          auto it = ids.find(producer);
          if (it == ids.end()) {
            ready = false;
            break;
          }
          inputs.push_back(it->second);
        }
        if (!ready) continue;
        if (layer.class_name == "InputLayer") {
          return absl::InvalidArgumentError(absl::StrCat("model '", model.name, "': InputLayer '",
                                                         layer.name, "' is not in input_layers"));
        }
        std::vector<KerasLayerKey> path = prefix;
        path.push_back(keys[i]);
        GS_ASSIGN_OR_RETURN(ids[layer.name], AddLayer(layer, path, inputs));
        done[i] = true;
        progress = true;
      }
    }
    auto out = ids.find(model.output_layer);
    if (out == ids.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("model '", model.name, "': output layer '", model.output_layer,
                       "' cannot be reached from the inputs (missing or cyclic inbound nodes)"));
    }
    return out->second;
  }

  absl::StatusOr<Graph> Build(int output) { return graph_.Build(output); }

 private:
  static int LayerIndex(const KerasModelSpec& model, const std::string& name) {
    for (size_t i = 0; i < model.layers.size(); ++i) {
      if (model.layers[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }

  // .keras groups: snake_case class name plus a per-class counter, in layer order.
  static std::vector<KerasLayerKey> LayerKeys(const KerasModelSpec& model) {
    std::map<std::string, int> seen;
    std::vector<KerasLayerKey> keys;
    for (const KerasLayerSpec& layer : model.layers) {
      const std::string snake = KerasSnakeCase(layer.class_name);
      const int n = seen[snake]++;
      keys.push_back({layer.name, n == 0 ? snake : absl::StrCat(snake, "_", n)});
    }
    return keys;
  }

  absl::StatusOr<int> AddInput(const KerasModelSpec& model, int index,
                               const std::vector<KerasLayerKey>& prefix,
                               const std::vector<KerasLayerKey>& keys) {
    const KerasLayerSpec& layer = model.layers[index];
    GS_ASSIGN_OR_RETURN(auto dims, InputDimsFromLayerConfig(layer.config, layer.name));
    // An old Sequential may state no input shape at all; its first Dense
    // kernel still says how long the input is.
    if (!dims && model.sequential && model.layers.size() > 1 &&
        model.layers[1].class_name == "Dense") {
      std::vector<KerasLayerKey> path = prefix;
      path.push_back(keys[1]);
      GS_ASSIGN_OR_RETURN(auto w, weights_.LayerWeights(path));
      if (!w.empty() && w[0].shape.size() == 2) dims = Dims{w[0].shape[0]};
    }
    if (!dims) {
      return absl::InvalidArgumentError(
          absl::StrCat("model '", model.name, "': cannot tell the input shape of '", layer.name,
                       "' (no batch_input_shape, batch_shape or build_input_shape)"));
    }
    const int id = graph_.Input(layer.name, *dims);
    dims_[id] = *dims;
    return id;
  }

  absl::StatusOr<int> AddLayer(const KerasLayerSpec& layer, const std::vector<KerasLayerKey>& path,
                               const std::vector<int>& inputs) {
    if (layer.nested) return AddModel(*layer.nested, path, &inputs);
    const auto where = [&] {
      return absl::StrCat("layer '", layer.name, "' (", layer.class_name, ")");
    };
    if (layer.class_name == "Lambda") {
      return absl::UnimplementedError(
          absl::StrCat(where(), ": Lambda layers hold Python code and cannot be loaded"));
    }
    KerasLayerBuilder build = FindKerasLayerBuilder(layer.class_name);
    if (build == nullptr) {
      return absl::UnimplementedError(absl::StrCat(where(), ": unsupported layer class '",
                                                   layer.class_name,
                                                   "' (custom or not yet supported by ganserve)"));
    }
    if (inputs.empty()) return absl::InvalidArgumentError(absl::StrCat(where(), ": has no inputs"));
    KerasLayerContext ctx{layer.name, layer.class_name, layer.config, {}, {}, dialect_, {}};
    for (int id : inputs) ctx.inputs.push_back(dims_[id]);
    GS_ASSIGN_OR_RETURN(ctx.weights, weights_.LayerWeights(path));
    GS_ASSIGN_OR_RETURN(std::shared_ptr<const Op> op, build(ctx));
    auto out = op->InferShape(ctx.inputs);
    if (!out.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where(), ": ", out.status().message()));
    }
    int id = graph_.AddShared(layer.name, std::move(op), inputs, layer.class_name);
    dims_[id] = *out;
    for (KerasLayerContext::FollowingOp& next : ctx.then) {
      auto next_out = next.op->InferShape({dims_[id]});
      if (!next_out.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(where(), ": ", next_out.status().message()));
      }
      id = graph_.AddShared(absl::StrCat(layer.name, "/", next.suffix), std::move(next.op), {id});
      dims_[id] = *next_out;
    }
    return id;
  }

  const KerasWeightSource& weights_;
  KerasDialect dialect_;
  GraphBuilder graph_;
  std::map<int, Dims> dims_;
};

}  // namespace

absl::StatusOr<Graph> BuildKerasGraph(const KerasModelSpec& model, const KerasWeightSource& weights,
                                      KerasDialect dialect) {
  KerasGraphBuilder builder(weights, dialect);
  GS_ASSIGN_OR_RETURN(int output, builder.AddModel(model, {}, nullptr));
  return builder.Build(output);
}

}  // namespace ganserve
