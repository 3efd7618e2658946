// What every model loader returns: the graph plus what the file said about
// where it came from. Loaders never include grpcpp and never throw.
#ifndef GANSERVE_ENGINE_LOADERS_LOADED_MODEL_H_
#define GANSERVE_ENGINE_LOADERS_LOADED_MODEL_H_

#include <memory>
#include <string>

#include "engine/graph.h"

namespace ganserve {

// The layout of a 3-D per-sample output as the file defines it. The graph
// IR is channels-last inside; an ONNX graph gets transposes at its edges so
// that its inputs and output keep the file's own layout.
enum class SampleLayout { kChannelsLast, kChannelsFirst };

struct LoadedModel {
  std::shared_ptr<const Graph> graph;
  std::string format;         // "keras-h5", "keras-zip" or "onnx"
  std::string saver_version;  // Keras keras_version, or ONNX "producer version"
  std::string model_name;     // the Keras model name or the ONNX graph name
  bool sequential = false;    // Keras Sequential: Summary() shows no input rows
  SampleLayout output_layout = SampleLayout::kChannelsLast;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_LOADED_MODEL_H_
