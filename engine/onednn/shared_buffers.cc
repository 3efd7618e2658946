#include "engine/onednn/shared_buffers.h"

namespace ganserve {

bool SharedBuffers::ReserveArena(const dnnl::engine& engine, size_t bytes) {
  if (bytes <= arena_bytes_) return false;
  arena_ = dnnl::memory();  // free the old arena before taking the new one
  arena_ =
      dnnl::memory(dnnl::memory::desc({static_cast<int64_t>(bytes)}, dnnl::memory::data_type::u8,
                                      dnnl::memory::format_tag::x),
                   engine);
  arena_bytes_ = bytes;
  return true;
}

bool SharedBuffers::ReserveHost(int node, int64_t elements) {
  std::vector<float>& data = host_[node].data;
  if (static_cast<size_t>(elements) <= data.capacity()) return false;
  data.reserve(elements);
  return true;
}

dnnl::memory SharedBuffers::FindWeights(int node, int part, const dnnl::memory::desc& md) const {
  for (const Weights& w : weights_) {
    if (w.node == node && w.part == part && w.memory.get_desc() == md) return w.memory;
  }
  return dnnl::memory();
}

void SharedBuffers::AddWeights(int node, int part, dnnl::memory weights) {
  weights_.push_back({node, part, std::move(weights)});
}

size_t SharedBuffers::host_bytes() const {
  size_t bytes = 0;
  for (const Tensor& t : host_) bytes += t.data.capacity() * sizeof(float);
  return bytes;
}

size_t SharedBuffers::weight_bytes() const {
  size_t bytes = 0;
  for (const Weights& w : weights_) bytes += w.memory.get_desc().get_size();
  return bytes;
}

}  // namespace ganserve
