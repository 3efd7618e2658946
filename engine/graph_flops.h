// The arithmetic a graph does per sample, for GFLOP/s figures.
#ifndef GANSERVE_ENGINE_GRAPH_FLOPS_H_
#define GANSERVE_ENGINE_GRAPH_FLOPS_H_

#include "engine/graph.h"

namespace ganserve {

// 2 * multiply-accumulates per sample of the Dense, Conv2D and
// Conv2DTranspose nodes (the full transposed conv, before cropping).
double GraphFlopsPerSample(const Graph& graph);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_GRAPH_FLOPS_H_
