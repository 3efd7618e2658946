// Turns a parsed Keras model (keras_config.h) plus its weights into the
// engine's Graph, flattening models nested as layers into the outer graph.
#ifndef GANSERVE_ENGINE_LOADERS_KERAS_GRAPH_H_
#define GANSERVE_ENGINE_LOADERS_KERAS_GRAPH_H_

#include "absl/status/statusor.h"
#include "engine/graph.h"
#include "engine/loaders/keras_config.h"
#include "engine/loaders/keras_layer_builders.h"
#include "engine/loaders/keras_weights.h"
#include "engine/ops/upsampling2d.h"

namespace ganserve {

absl::StatusOr<Graph> BuildKerasGraph(const KerasModelSpec& model, const KerasWeightSource& weights,
                                      KerasDialect dialect);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_KERAS_GRAPH_H_
