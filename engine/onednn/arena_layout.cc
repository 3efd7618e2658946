#include "engine/onednn/arena_layout.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace ganserve {
namespace {

// Bytes read at step s are reused from step s + 2 on, not s + 1: oneDNN's
// batch normalization slowed down writing over what the step before had just
// read, and cost nothing when given bytes one step older (BENCHMARKS.md).
constexpr int kCooldownSteps = 1;

bool AliveTogether(const ArenaBuffer& a, const ArenaBuffer& b) {
  // In 64 bits: a buffer alive for the whole plan ends at INT_MAX.
  return a.first <= int64_t{b.last} + kCooldownSteps && b.first <= int64_t{a.last} + kCooldownSteps;
}

}  // namespace

ArenaLayout LayOutArena(const std::vector<ArenaBuffer>& buffers, size_t alignment) {
  auto round_up = [alignment](size_t n) { return (n + alignment - 1) / alignment * alignment; };
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; });
  ArenaLayout layout;
  layout.offsets.assign(buffers.size(), 0);
  std::vector<size_t> placed;
  for (size_t i : order) {
    const ArenaBuffer& buffer = buffers[i];
    // The placed buffers live at the same time as this one, by offset.
    std::vector<size_t> live;
    for (size_t j : placed) {
      if (AliveTogether(buffers[j], buffer)) live.push_back(j);
    }
    std::sort(live.begin(), live.end(),
              [&](size_t a, size_t b) { return layout.offsets[a] < layout.offsets[b]; });
    size_t offset = 0;
    for (size_t j : live) {
      if (offset + buffer.bytes <= layout.offsets[j]) break;  // fits in the gap below j
      offset = std::max(offset, round_up(layout.offsets[j] + buffers[j].bytes));
    }
    layout.offsets[i] = offset;
    layout.bytes = std::max(layout.bytes, offset + buffer.bytes);
    placed.push_back(i);
  }
  return layout;
}

}  // namespace ganserve
