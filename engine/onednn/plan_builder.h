// Internal to the oneDNN executor: builds a Plan node by node. Each node's
// value lives in the layout its producer chose (blocked for convolutions);
// a plain row-major copy (NHWC for images) is made only where a consumer
// needs one.
#ifndef GANSERVE_ENGINE_ONEDNN_PLAN_BUILDER_H_
#define GANSERVE_ENGINE_ONEDNN_PLAN_BUILDER_H_

#include <vector>

#include "absl/status/status.h"
#include "dnnl.hpp"
#include "engine/graph.h"
#include "engine/onednn/lowering.h"
#include "engine/onednn/plan.h"

namespace ganserve {

class PlanBuilder {
 public:
  PlanBuilder(const Graph& graph, const std::vector<LoweredNode>& lowered, int64_t batch,
              const dnnl::engine& engine, dnnl::stream& stream, Plan& plan);

  // Throws dnnl::error.
  absl::Status BuildAll();

 private:
  struct Value {
    dnnl::memory mem;         // as produced
    Tensor* plain = nullptr;  // plain row-major copy, when one exists
    dnnl::memory plain_mem;   // over plain->data
  };

  absl::Status LowerNode(int i);

  // conv_lowering.cc
  void LowerConv(int i);
  void LowerDeconv(int i);
  void LowerDeconvAsConv(int i);
  void LowerDense(int i);

  void LowerBatchNorm(int i);
  void LowerActivation(int i);
  void LowerResample(int i);
  void LowerReference(int i);

  // Helpers.
  int Resolve(int node) const;
  dnnl::memory::desc PlainMd(const Dims& per_sample) const;
  dnnl::memory::dims ImageDims(const Dims& hwc) const;  // {N, C, H, W}
  Value& NewPlainValue(int node, const Dims& per_sample);
  // A value in `md`: plain storage when md is the plain layout of `dims`.
  Value& NewValue(int node, const dnnl::memory::desc& md, const Dims& dims);
  Tensor& EnsurePlain(int node);
  dnnl::memory Reordered(const dnnl::memory& mem, const dnnl::memory::desc& md);
  // Weights reordered once, now, into the primitive's chosen layout.
  dnnl::memory PrepareWeights(const LoweredNode& ln, const dnnl::memory::desc& md);
  dnnl::memory ConstMemory(const std::vector<float>& data, const dnnl::memory::desc& md);
  dnnl::primitive_attr Attr(const std::vector<Activation>* post_ops) const;
  void AddPrimitive(dnnl::primitive prim, std::unordered_map<int, dnnl::memory> args,
                    const dnnl::memory::desc& scratchpad);
  void AddHost(std::function<absl::Status()> fn);
  // Applies `activations` in place with the reference formulas (for chains
  // oneDNN cannot express).
  void AddActivationLoop(Tensor& t, const std::vector<Activation>& activations);

  const Graph& graph_;
  const std::vector<LoweredNode>& lowered_;
  const int64_t batch_;
  const dnnl::engine& engine_;
  dnnl::stream& stream_;
  Plan& plan_;
  std::vector<Value> values_;
  std::vector<std::pair<size_t, dnnl::memory::desc>> scratch_;  // step index, desc
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_PLAN_BUILDER_H_
