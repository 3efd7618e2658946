// Internal to the oneDNN executor: builds a Plan node by node. Each node's
// value lives in the layout its producer chose (blocked for convolutions);
// a plain row-major copy (NHWC for images) is made only where a consumer
// needs one. Buffers go in the shared arena, those whose lifetimes do not
// overlap on the same bytes (or, for the values reference kernels touch, in
// the node's host tensor); memories are made without a buffer and bound by
// Plan::Activate.
#ifndef GANSERVE_ENGINE_ONEDNN_PLAN_BUILDER_H_
#define GANSERVE_ENGINE_ONEDNN_PLAN_BUILDER_H_

#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "dnnl.hpp"
#include "engine/graph.h"
#include "engine/onednn/arena_layout.h"
#include "engine/onednn/deconv_as_conv.h"
#include "engine/onednn/lowering.h"
#include "engine/onednn/plan.h"
#include "engine/ops/conv_geometry.h"

namespace ganserve {

class PlanBuilder {
 public:
  PlanBuilder(const Graph& graph, const std::vector<LoweredNode>& lowered, int64_t batch, bool bf16,
              const dnnl::engine& engine, dnnl::stream& stream, SharedBuffers& shared, Plan& plan);

  // Throws dnnl::error.
  absl::Status BuildAll();

 private:
  struct Value {
    dnnl::memory mem;        // as produced
    dnnl::memory plain_mem;  // plain row-major copy, when one exists
    bool host = false;       // plain_mem is over the node's host tensor
  };

  absl::Status LowerNode(int i);

  // conv_lowering.cc
  void LowerConv(int i);
  void LowerDeconv(int i);
  void LowerFlippedConv(int i);
  // small_oc_conv_lowering.cc
  void LowerSmallOcConv(int i);
  void LowerDeconvAsConv(int i);
  void LowerUpsampleConv(int i);
  // The phase convolution of `in_value` (per-sample `in_dims`) with node i's
  // weights, interleaved into node i's value by `copy` (rows, cols set).
  void LowerPhaseConv(int i, int in_value, const Dims& in_dims, int64_t oc, PhaseCopy copy);
  void LowerDense(int i);
  // deconv_as_gemm_lowering.cc
  void LowerDeconvAsGemm(int i);
  // deconv_per_phase.cc
  // One exact convolution per phase of a strided deconvolution; false
  // (nothing added) where a phase needs negative padding or has no output.
  bool LowerDeconvPerPhase(int i, const Dims& in_dims, const Dims& kernel,
                           const ConvAttributes& attrs);
  // The same for any phase form: node i's weights hold one `oc`-channel
  // slice per phase (rows[r_h] x cols[r_w], slice r_h * cols.size() + r_w).
  bool LowerPerPhase(int i, const Dims& in_dims, int64_t oc, const std::vector<ExactPhase>& rows,
                     const std::vector<ExactPhase>& cols);

  void LowerBatchNorm(int i);
  void LowerActivation(int i);
  void LowerResample(int i);
  void LowerTranspose(int i);
  void LowerReference(int i);

  // Helpers.
  // The primitive descriptor `make(data type)` gives for node i: bf16 when
  // the plan is bf16, i is not the output layer and oneDNN has a native
  // kernel for it; else f32.
  template <typename PrimitiveDesc, typename MakeDesc>
  PrimitiveDesc PickPrecision(int i, const dnnl::primitive_attr& attr, MakeDesc make) const;
  // The bf16 descriptor of PickPrecision, or an empty one where it would pick f32.
  template <typename PrimitiveDesc, typename MakeDesc>
  PrimitiveDesc NativeBf16(int i, const dnnl::primitive_attr& attr, MakeDesc make) const;
  // Node i's direct convolution of an `in_dims` image into an `out_dims`
  // one (format_tag::any source, weights and, unless `plain_dst`,
  // destination; PickPrecision's data type), its activations as post-ops
  // when `fused`. In bf16, source and destination are nChw16c instead when
  // the input channels and `copy_channels` (the result's channels per phase;
  // all of them by default) are whole 16-channel blocks: oneDNN's blocked
  // bf16 kernels outrun the nhwc ones it picks for 'any' on the zoo's phase
  // convolutions (BENCHMARKS.md, issue 16 "bf16 in nChw16c").
  struct ConvWindow {
    dnnl::memory::dims strides{1, 1}, dilation{0, 0}, pad_begin, pad_end;
  };
  // Node i's weights as one convolution over its first input, written into
  // its value; activations oneDNN cannot fuse run as a loop after it.
  void LowerDirectConv(int i, const ConvWindow& window);
  dnnl::convolution_forward::primitive_desc PickConv(int i, const Dims& in_dims,
                                                     const dnnl::memory::dims& weight_dims,
                                                     const Dims& out_dims, const ConvWindow& window,
                                                     bool fused, bool plain_dst = false,
                                                     int64_t copy_channels = 0) const;
  int Resolve(int node) const;
  // Whether the f32 output layer of a bf16 plan, a oneDNN convolution, is
  // the only reader of node's value.
  bool OnlyF32ConvReads(int node) const;
  dnnl::memory::desc PlainMd(const Dims& per_sample) const;
  // {batch, per_sample...}, and the strides of a row-major array of `dims`.
  dnnl::memory::dims RowMajorDims(const Dims& per_sample) const;
  static dnnl::memory::dims RowMajorStrides(const dnnl::memory::dims& dims);
  dnnl::memory::dims ImageDims(const Dims& hwc) const;  // {N, C, H, W}
  // A memory for `md` in a buffer of its own in the arena.
  dnnl::memory ArenaMemory(const dnnl::memory::desc& md);
  // Extends the lifetime of the arena buffer under `mem` (if any) to `step`.
  void Touch(const dnnl::memory& mem, int step);
  // Another memory over the buffer of `of` (a plan-made memory).
  dnnl::memory View(const dnnl::memory& of, const dnnl::memory::desc& md);
  // In the node's host tensor when reference kernels read it, else the arena.
  Value& NewPlainValue(int node, const Dims& per_sample);
  Value& NewHostValue(int node, const Dims& per_sample);
  // A value in `md`: plain storage when md is the plain layout of `dims`.
  Value& NewValue(int node, const dnnl::memory::desc& md, const Dims& dims);
  Value& EnsurePlain(int node);
  // The node's value as its host tensor, copied there if it lives elsewhere.
  Tensor& EnsureHost(int node);
  dnnl::memory Reordered(const dnnl::memory& mem, const dnnl::memory::desc& md);
  void AddReorder(const dnnl::memory& from, const dnnl::memory& to);
  // Weights reordered once, now, into the primitive's chosen layout: the
  // `part`-th slice of md's output-channel count (all of them by default).
  dnnl::memory PrepareWeights(const LoweredNode& ln, const dnnl::memory::desc& md, int part = 0);
  dnnl::memory ConstMemory(const std::vector<float>& data, const dnnl::memory::desc& md);
  dnnl::primitive_attr Attr(const std::vector<Activation>* post_ops) const;
  void AddPrimitive(dnnl::primitive prim, std::unordered_map<int, dnnl::memory> args,
                    const dnnl::memory::desc& scratchpad);
  // Adds `prim` (made from `pd`), a weighted primitive of `ln` from `src` to
  // `dst`: the `part`-th slice of ln's weights as in PrepareWeights, its bias.
  void AddWeighted(dnnl::primitive prim, const dnnl::primitive_desc_base& pd, const LoweredNode& ln,
                   const dnnl::memory& src, const dnnl::memory& dst, int part = 0);
  // `uses`: the plan's memories `fn` reads or writes.
  void AddHost(const std::vector<dnnl::memory>& uses, std::function<absl::Status()> fn);
  // Applies `activations` in place to the plain value in `mem` with the
  // reference formulas (for chains oneDNN cannot express).
  void AddActivationLoop(const dnnl::memory& mem, const std::vector<Activation>& activations);
  // The same as eltwise primitives in place when oneDNN expresses them all
  // (its vectorized tanh, sigmoid...), else as the loop.
  void AddActivationsInPlace(const dnnl::memory& mem, const std::vector<Activation>& activations);

  const Graph& graph_;
  const std::vector<LoweredNode>& lowered_;
  const int64_t batch_;
  const bool bf16_;
  const int output_layer_;  // stays f32 in a bf16 plan
  const dnnl::engine& engine_;
  dnnl::stream& stream_;
  SharedBuffers& shared_;
  Plan& plan_;
  std::vector<Value> values_;
  std::vector<bool> read_by_host_;  // per node: a reference kernel reads its plain value
  std::unordered_map<dnnl_memory_t, size_t> binding_of_;  // into plan_.bindings_
  std::vector<int> buffer_of_;        // per binding: into buffers_, -1 for host tensors
  std::vector<ArenaBuffer> buffers_;  // offsets assigned once all steps are known
  std::vector<std::pair<size_t, dnnl::memory::desc>> scratch_;  // step index, desc
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_PLAN_BUILDER_H_
