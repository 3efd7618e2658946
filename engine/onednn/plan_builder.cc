#include "engine/onednn/plan_builder.h"

#include <climits>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/onednn/eltwise_mapping.h"
#include "engine/ops/transpose.h"
#include "engine/status_context.h"
#include "engine/status_macros.h"

namespace ganserve {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

namespace {

// Blocked layouts round channels up (nChw16c of 3 channels); oneDNN's
// kernels may rely on those padding bytes staying zero between runs.
bool HasPadding(const dnnl::memory::desc& md) {
  for (int d = 0; d < md.data.ndims; ++d) {
    if (md.data.padded_dims[d] != md.data.dims[d]) return true;
  }
  return false;
}

// The last convolution or dense layer before the graph's output, through
// single-input nodes (activations, BatchNorm, reshapes, transposes).
int OutputLayer(const Graph& graph, const std::vector<LoweredNode>& lowered) {
  int i = graph.output();
  while (graph.node(i).inputs.size() == 1) {
    const LoweredKind kind = lowered[i].kind;
    if (kind == LoweredKind::kConv || kind == LoweredKind::kDeconv ||
        kind == LoweredKind::kDeconvAsConv || kind == LoweredKind::kDeconvAsGemm ||
        kind == LoweredKind::kFlippedConv || kind == LoweredKind::kSmallOcConv ||
        kind == LoweredKind::kUpsampleConv || kind == LoweredKind::kDense) {
      break;
    }
    i = graph.node(i).inputs[0];
  }
  return i;
}

}  // namespace

PlanBuilder::PlanBuilder(const Graph& graph, const std::vector<LoweredNode>& lowered, int64_t batch,
                         bool bf16, const dnnl::engine& engine, dnnl::stream& stream,
                         SharedBuffers& shared, Plan& plan)
    : graph_(graph),
      lowered_(lowered),
      batch_(batch),
      bf16_(bf16),
      output_layer_(OutputLayer(graph, lowered)),
      engine_(engine),
      stream_(stream),
      shared_(shared),
      plan_(plan),
      values_(graph.nodes().size()),
      read_by_host_(graph.nodes().size(), false) {
  // Producers of what reference kernels read write straight into host
  // tensors (UpSampling2D falls back to its reference kernel on plain input).
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const LoweredKind kind = lowered[i].kind;
    if (kind != LoweredKind::kReference && kind != LoweredKind::kResample) continue;
    for (int j : graph.node(i).inputs) read_by_host_[Resolve(j)] = true;
  }
}

absl::Status PlanBuilder::BuildAll() {
  plan_.batch_ = batch_;
  for (size_t i = 0; i < graph_.nodes().size(); ++i) {
    GS_RETURN_IF_ERROR(LowerNode(static_cast<int>(i)));
  }
  plan_.output_ = EnsurePlain(Resolve(graph_.output())).plain_mem;
  Touch(plan_.output_, static_cast<int>(plan_.steps_.size()));  // read after the last step
  // Each primitive's scratchpad lives for its own step only.
  for (const auto& [step, md] : scratch_) {
    const dnnl::memory scratch = ArenaMemory(md);
    buffers_[buffer_of_.back()].first = static_cast<int>(step);
    buffers_[buffer_of_.back()].last = static_cast<int>(step);
    plan_.steps_[step].args[DNNL_ARG_SCRATCHPAD] = scratch;
  }
  const ArenaLayout layout = LayOutArena(buffers_, SharedBuffers::kAlignment);
  for (size_t b = 0; b < plan_.bindings_.size(); ++b) {
    if (buffer_of_[b] >= 0) plan_.bindings_[b].offset = layout.offsets[buffer_of_[b]];
  }
  plan_.arena_bytes_ = layout.bytes;
  // The C argument list, made once: dnnl::primitive::execute would build it
  // (a heap-allocated vector) on every call.
  for (Plan::Step& step : plan_.steps_) {
    for (const auto& [arg, memory] : step.args) step.c_args.push_back({arg, memory.get()});
  }
  return absl::OkStatus();
}

absl::Status PlanBuilder::LowerNode(int i) {
  const Node& node = graph_.node(i);
  switch (lowered_[i].kind) {
    case LoweredKind::kAlias:
      return absl::OkStatus();
    case LoweredKind::kInput: {
      plan_.inputs_.push_back(NewPlainValue(i, node.output_dims).plain_mem);
      Touch(plan_.inputs_.back(), -1);  // written before the first step
      return absl::OkStatus();
    }
    case LoweredKind::kConv:
      LowerConv(i);
      break;
    case LoweredKind::kDeconv:
      LowerDeconv(i);
      break;
    case LoweredKind::kDeconvAsGemm:
      LowerDeconvAsGemm(i);
      break;
    case LoweredKind::kDeconvAsConv:
      LowerDeconvAsConv(i);
      break;
    case LoweredKind::kFlippedConv:
      LowerFlippedConv(i);
      break;
    case LoweredKind::kSmallOcConv:
      LowerSmallOcConv(i);
      break;
    case LoweredKind::kUpsampleConv:
      LowerUpsampleConv(i);
      break;
    case LoweredKind::kDense:
      LowerDense(i);
      break;
    case LoweredKind::kBatchNorm:
      LowerBatchNorm(i);
      break;
    case LoweredKind::kActivation:
      LowerActivation(i);
      break;
    case LoweredKind::kResample:
      LowerResample(i);
      break;
    case LoweredKind::kTranspose:
      LowerTranspose(i);
      break;
    case LoweredKind::kReference:
      LowerReference(i);
      break;
  }
  return absl::OkStatus();
}

void PlanBuilder::LowerBatchNorm(int i) {
  const LoweredNode& ln = lowered_[i];
  const Value& in = values_[Resolve(graph_.node(i).inputs[0])];
  const dnnl::memory::desc src = in.mem.get_desc();
  dnnl::batch_normalization_forward::desc desc(
      dnnl::prop_kind::forward_inference, src, ln.epsilon,
      dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale_shift);
  dnnl::batch_normalization_forward::primitive_desc pd(desc, Attr(nullptr), engine_);
  const int64_t c = static_cast<int64_t>(ln.mean.size());
  const dnnl::memory::desc vec({c}, dt::f32, tag::x);
  Value& out = NewValue(i, pd.dst_desc(), graph_.node(i).output_dims);
  AddPrimitive(dnnl::batch_normalization_forward(pd),
               {{DNNL_ARG_SRC, in.mem},
                {DNNL_ARG_DST, out.mem},
                {DNNL_ARG_MEAN, ConstMemory(ln.mean, vec)},
                {DNNL_ARG_VARIANCE, ConstMemory(ln.variance, vec)},
                {DNNL_ARG_SCALE_SHIFT,
                 ConstMemory(ln.scale_shift, dnnl::memory::desc({2, c}, dt::f32, tag::nc))}},
               pd.scratchpad_desc());
}

void PlanBuilder::LowerActivation(int i) {
  const Value& in = values_[Resolve(graph_.node(i).inputs[0])];
  const dnnl::memory::desc md = in.mem.get_desc();
  Value& out = NewValue(i, md, graph_.node(i).output_dims);
  dnnl::memory src = in.mem;
  const auto chain = ToEltwise(lowered_[i].activations[0]);
  for (const EltwiseSpec& e : *chain) {
    dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, e.algorithm, md, e.alpha,
                                     e.beta);
    dnnl::eltwise_forward::primitive_desc pd(desc, Attr(nullptr), engine_);
    AddPrimitive(dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, out.mem}},
                 pd.scratchpad_desc());
    src = out.mem;  // later links of the chain run in place
  }
  if (src != out.mem) {  // linear: a plain copy keeps the value distinct
    dnnl::reorder::primitive_desc pd(engine_, md, engine_, md, Attr(nullptr));
    AddPrimitive(dnnl::reorder(pd), {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, out.mem}},
                 pd.scratchpad_desc());
  }
}

void PlanBuilder::LowerResample(int i) {
  const Node& node = graph_.node(i);
  const Value& in = values_[Resolve(node.inputs[0])];
  // oneDNN 2.6's jit resampling crashes on large nhwc sources (seen at
  // batch 64, 4x4x512); on plain data the reference loop is as good.
  if (in.plain_mem && in.mem == in.plain_mem) return LowerReference(i);
  const dnnl::memory::desc dst_any(ImageDims(node.output_dims), dt::f32, tag::any);
  dnnl::resampling_forward::desc desc(dnnl::prop_kind::forward_inference, lowered_[i].resampling,
                                      in.mem.get_desc(), dst_any);
  dnnl::resampling_forward::primitive_desc pd(desc, Attr(nullptr), engine_);
  Value& out = NewValue(i, pd.dst_desc(), node.output_dims);
  AddPrimitive(dnnl::resampling_forward(pd), {{DNNL_ARG_SRC, in.mem}, {DNNL_ARG_DST, out.mem}},
               pd.scratchpad_desc());
}

void PlanBuilder::LowerTranspose(int i) {
  const Node& node = graph_.node(i);
  const auto& perm = static_cast<const TransposeOp&>(*node.op).perm();
  const dnnl::memory x = EnsurePlain(Resolve(node.inputs[0])).plain_mem;
  const dnnl::memory y = NewPlainValue(i, node.output_dims).plain_mem;
  // Both row-major in the graph's axis order, the input read in the output's:
  // output axis a walks input axis perm[a].
  const dnnl::memory::dims in_dims = RowMajorDims(graph_.node(node.inputs[0]).output_dims);
  const dnnl::memory::dims in_strides = RowMajorStrides(in_dims);
  dnnl::memory::dims dims{batch_}, strides{in_strides[0]};
  for (const int axis : perm) {
    dims.push_back(in_dims[axis + 1]);
    strides.push_back(in_strides[axis + 1]);
  }
  AddReorder(View(x, dnnl::memory::desc(dims, dt::f32, strides)),
             View(y, dnnl::memory::desc(dims, dt::f32, RowMajorStrides(dims))));
}

void PlanBuilder::LowerReference(int i) {
  const Node& node = graph_.node(i);
  std::vector<const Tensor*> args;
  for (int j : node.inputs) args.push_back(&EnsureHost(Resolve(j)));
  NewHostValue(i, node.output_dims);
  Tensor& out = shared_.host(i);
  const Op* op = node.op.get();
  const std::string* name = &node.name;
  // Host tensors are the node's own, not arena buffers: nothing to declare.
  AddHost({}, [op, args, &out, name]() -> absl::Status {
    absl::Status s = op->RunReference(args, out);
    // Only a failure builds the prefix: a warm run allocates nothing of ours.
    if (!s.ok()) return WithPrefix(absl::StrCat("layer '", *name, "'"), s);
    return s;
  });
}

int PlanBuilder::Resolve(int node) const {
  while (lowered_[node].kind == LoweredKind::kAlias) node = lowered_[node].source;
  return node;
}

bool PlanBuilder::OnlyF32ConvReads(int node) const {
  if (!bf16_ || Resolve(graph_.output()) == node) return false;
  const LoweredKind kind = lowered_[output_layer_].kind;
  if (kind != LoweredKind::kConv && kind != LoweredKind::kDeconvAsConv &&
      kind != LoweredKind::kUpsampleConv && kind != LoweredKind::kFlippedConv) {
    return false;
  }
  for (size_t j = 0; j < graph_.nodes().size(); ++j) {
    if (lowered_[j].kind == LoweredKind::kAlias) continue;
    for (const int input : graph_.node(j).inputs) {
      if (Resolve(input) == node && static_cast<int>(j) != output_layer_) return false;
    }
  }
  return true;
}

dnnl::memory::dims PlanBuilder::ImageDims(const Dims& hwc) const {
  return {batch_, hwc[2], hwc[0], hwc[1]};
}

dnnl::memory::dims PlanBuilder::RowMajorDims(const Dims& per_sample) const {
  dnnl::memory::dims dims{batch_};
  dims.insert(dims.end(), per_sample.begin(), per_sample.end());
  return dims;
}

dnnl::memory::dims PlanBuilder::RowMajorStrides(const dnnl::memory::dims& dims) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (int a = static_cast<int>(dims.size()) - 2; a >= 0; --a) {
    strides[a] = strides[a + 1] * dims[a + 1];
  }
  return strides;
}

dnnl::memory::desc PlanBuilder::PlainMd(const Dims& per_sample) const {
  if (per_sample.size() == 3) return dnnl::memory::desc(ImageDims(per_sample), dt::f32, tag::nhwc);
  const dnnl::memory::dims dims = RowMajorDims(per_sample);
  return dnnl::memory::desc(dims, dt::f32, RowMajorStrides(dims));
}

dnnl::memory PlanBuilder::ArenaMemory(const dnnl::memory::desc& md) {
  dnnl::memory mem(md, engine_, DNNL_MEMORY_NONE);
  binding_of_[mem.get()] = plan_.bindings_.size();
  plan_.bindings_.push_back({mem, -1, 0});
  buffer_of_.push_back(static_cast<int>(buffers_.size()));
  // Padded buffers share bytes with no other buffer of the plan, so their
  // padding stays as Plan::Activate wrote it; the others start untouched
  // ([INT_MAX, -1]) and Touch widens them.
  if (HasPadding(md)) {
    buffers_.push_back({md.get_size(), -1, INT_MAX});
  } else {
    buffers_.push_back({md.get_size(), INT_MAX, -1});
  }
  return mem;
}

void PlanBuilder::Touch(const dnnl::memory& mem, int step) {
  const auto it = binding_of_.find(mem.get());
  if (it == binding_of_.end() || buffer_of_[it->second] < 0) return;
  ArenaBuffer& buffer = buffers_[buffer_of_[it->second]];
  buffer.first = std::min(buffer.first, step);
  buffer.last = std::max(buffer.last, step);
}

dnnl::memory PlanBuilder::View(const dnnl::memory& of, const dnnl::memory::desc& md) {
  const size_t of_binding = binding_of_.at(of.get());
  Plan::Binding binding = plan_.bindings_[of_binding];
  binding.memory = dnnl::memory(md, engine_, DNNL_MEMORY_NONE);
  binding_of_[binding.memory.get()] = plan_.bindings_.size();
  plan_.bindings_.push_back(binding);
  buffer_of_.push_back(buffer_of_[of_binding]);
  return binding.memory;
}

PlanBuilder::Value& PlanBuilder::NewPlainValue(int node, const Dims& per_sample) {
  if (read_by_host_[node]) return NewHostValue(node, per_sample);
  Value& v = values_[node];
  v.plain_mem = ArenaMemory(PlainMd(per_sample));
  v.mem = v.plain_mem;
  return v;
}

PlanBuilder::Value& PlanBuilder::NewHostValue(int node, const Dims& per_sample) {
  plan_.host_uses_.push_back({node, WithBatch(batch_, per_sample)});
  Value& v = values_[node];
  v.plain_mem = dnnl::memory(PlainMd(per_sample), engine_, DNNL_MEMORY_NONE);
  v.mem = v.plain_mem;
  v.host = true;
  binding_of_[v.plain_mem.get()] = plan_.bindings_.size();
  plan_.bindings_.push_back({v.plain_mem, node, 0});
  buffer_of_.push_back(-1);
  return v;
}

PlanBuilder::Value& PlanBuilder::NewValue(int node, const dnnl::memory::desc& md,
                                          const Dims& dims) {
  if (md == PlainMd(dims)) return NewPlainValue(node, dims);
  Value& v = values_[node];
  v.mem = ArenaMemory(md);
  return v;
}

PlanBuilder::Value& PlanBuilder::EnsurePlain(int node) {
  Value& v = values_[node];
  if (v.plain_mem) return v;
  const dnnl::memory produced = v.mem;
  NewPlainValue(node, graph_.node(node).output_dims);
  v.mem = produced;
  AddReorder(produced, v.plain_mem);
  return v;
}

Tensor& PlanBuilder::EnsureHost(int node) {
  Value& v = values_[node];
  if (!v.host) {
    // Only when a producer did not know (read_by_host_ names the usual readers).
    const dnnl::memory produced = v.mem;
    NewHostValue(node, graph_.node(node).output_dims);
    v.mem = produced;
    AddReorder(produced, v.plain_mem);
  }
  return shared_.host(node);
}

dnnl::memory PlanBuilder::Reordered(const dnnl::memory& mem, const dnnl::memory::desc& md) {
  if (mem.get_desc() == md) return mem;
  const dnnl::memory out = ArenaMemory(md);
  AddReorder(mem, out);
  return out;
}

void PlanBuilder::AddReorder(const dnnl::memory& from, const dnnl::memory& to) {
  dnnl::reorder::primitive_desc pd(engine_, from.get_desc(), engine_, to.get_desc(), Attr(nullptr));
  AddPrimitive(dnnl::reorder(pd), {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}}, pd.scratchpad_desc());
}

dnnl::memory PlanBuilder::ConstMemory(const std::vector<float>& data,
                                      const dnnl::memory::desc& md) {
  // oneDNN only reads these (weights, bias, statistics); the executor owns them.
  return dnnl::memory(md, engine_, const_cast<float*>(data.data()));
}

dnnl::memory PlanBuilder::PrepareWeights(const LoweredNode& ln, const dnnl::memory::desc& md,
                                         int part) {
  const int node = static_cast<int>(&ln - lowered_.data());
  if (dnnl::memory cached = shared_.FindWeights(node, part, md)) return cached;
  const dnnl::memory::dims dims = md.dims();
  const float* slice = ln.weights.data() + part * dims[0] * ln.weight_strides[0];
  dnnl::memory user(dnnl::memory::desc(dims, dt::f32, ln.weight_strides), engine_,
                    const_cast<float*>(slice));
  dnnl::memory out(md, engine_);
  dnnl::reorder(user, out).execute(stream_, user, out);
  stream_.wait();
  shared_.AddWeights(node, part, out);
  return out;
}

dnnl::primitive_attr PlanBuilder::Attr(const std::vector<Activation>* post_ops) const {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (post_ops != nullptr) {
    dnnl::post_ops ops;
    AppendPostOps(*post_ops, ops);
    attr.set_post_ops(ops);
  }
  return attr;
}

void PlanBuilder::AddPrimitive(dnnl::primitive prim, std::unordered_map<int, dnnl::memory> args,
                               const dnnl::memory::desc& scratchpad) {
  const int step = static_cast<int>(plan_.steps_.size());
  for (const auto& [arg, mem] : args) Touch(mem, step);
  if (scratchpad.get_size() > 0) scratch_.emplace_back(step, scratchpad);
  plan_.steps_.push_back({std::move(prim), std::move(args), {}, nullptr});
}

void PlanBuilder::AddHost(const std::vector<dnnl::memory>& uses, std::function<absl::Status()> fn) {
  for (const dnnl::memory& mem : uses) Touch(mem, static_cast<int>(plan_.steps_.size()));
  plan_.steps_.push_back({dnnl::primitive(), {}, {}, std::move(fn)});
}

void PlanBuilder::AddActivationLoop(const dnnl::memory& mem,
                                    const std::vector<Activation>& activations) {
  const size_t count = mem.get_desc().get_size() / sizeof(float);
  AddHost({mem}, [mem, count, activations]() {
    float* data = static_cast<float*>(mem.get_data_handle());
    for (size_t i = 0; i < count; ++i) {
      for (const Activation& a : activations) data[i] = a.Apply(data[i]);
    }
    return absl::OkStatus();
  });
}

void PlanBuilder::AddActivationsInPlace(const dnnl::memory& mem,
                                        const std::vector<Activation>& activations) {
  if (!AllExpressible(activations)) return AddActivationLoop(mem, activations);
  const dnnl::memory::desc md = mem.get_desc();
  for (const Activation& act : activations) {
    const std::vector<EltwiseSpec> chain = *ToEltwise(act);
    for (const EltwiseSpec& e : chain) {
      dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, e.algorithm, md, e.alpha,
                                       e.beta);
      dnnl::eltwise_forward::primitive_desc pd(desc, Attr(nullptr), engine_);
      AddPrimitive(dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, mem}, {DNNL_ARG_DST, mem}},
                   pd.scratchpad_desc());
    }
  }
}

}  // namespace ganserve
