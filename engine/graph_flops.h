// The arithmetic a graph does per sample, for GFLOP/s figures.
#ifndef GANSERVE_ENGINE_GRAPH_FLOPS_H_
#define GANSERVE_ENGINE_GRAPH_FLOPS_H_

#include "engine/graph.h"

namespace ganserve {

// The sum of the nodes' Op::FlopsPerSample (Dense, Conv2D, Conv2DTranspose).
double GraphFlopsPerSample(const Graph& graph);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_GRAPH_FLOPS_H_
