// The memory that the plans of one execution context share, so it follows
// the largest plan rather than the number of batch sizes seen: one arena
// for every plan's activations, blocked intermediates and scratchpad (a
// plan's buffers are offsets into it; plans run one at a time), the plain
// tensors that reference kernels read and write (one per node, sized for
// the largest batch), and the weights reordered for the primitives' layouts
// (once per node and layout, whatever the batch size).
#ifndef GANSERVE_ENGINE_ONEDNN_SHARED_BUFFERS_H_
#define GANSERVE_ENGINE_ONEDNN_SHARED_BUFFERS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dnnl.hpp"
#include "engine/tensor.h"

namespace ganserve {

class SharedBuffers {
 public:
  // Offsets into the arena are multiples of this (oneDNN's own alignment).
  static constexpr size_t kAlignment = 64;

  explicit SharedBuffers(size_t num_nodes) : host_(num_nodes) {}

  // Makes the arena at least `bytes` long. Its contents are not kept.
  // Returns true when it moved (plans must point their buffers at it again).
  bool ReserveArena(const dnnl::engine& engine, size_t bytes);
  char* arena() const { return static_cast<char*>(arena_.get_data_handle()); }

  // The plain tensor of `node`, for the reference kernels' Tensor interface.
  // Its capacity only grows, so its data stays put while nothing reserves more.
  Tensor& host(int node) { return host_[node]; }
  // Returns true when the tensor's storage moved.
  bool ReserveHost(int node, int64_t elements);

  // The weights of `node` (its `part`-th slice of output channels) already
  // reordered to `md`, or an empty memory.
  dnnl::memory FindWeights(int node, int part, const dnnl::memory::desc& md) const;
  void AddWeights(int node, int part, dnnl::memory weights);

  size_t arena_bytes() const { return arena_bytes_; }
  size_t host_bytes() const;
  size_t weight_bytes() const;

 private:
  struct Weights {
    int node;
    int part;
    dnnl::memory memory;
  };

  dnnl::memory arena_;  // u8, allocated by oneDNN
  size_t arena_bytes_ = 0;
  std::vector<Tensor> host_;
  std::vector<Weights> weights_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_SHARED_BUFFERS_H_
