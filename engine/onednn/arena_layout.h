// Where each buffer of a plan goes in the arena: buffers whose lifetimes
// (the steps from the one that first touches a buffer to the last one)
// overlap, or end one step before the other starts, get disjoint bytes; the
// others may share. Greedy, largest first, each at the lowest offset that
// fits, as TFLite's arena planner does.
#ifndef GANSERVE_ENGINE_ONEDNN_ARENA_LAYOUT_H_
#define GANSERVE_ENGINE_ONEDNN_ARENA_LAYOUT_H_

#include <cstddef>
#include <vector>

namespace ganserve {

struct ArenaBuffer {
  size_t bytes = 0;
  int first = 0;  // first and last step that touch it, inclusive
  int last = 0;
};

struct ArenaLayout {
  std::vector<size_t> offsets;  // per buffer, multiples of `alignment`
  size_t bytes = 0;             // the arena they need
};

ArenaLayout LayOutArena(const std::vector<ArenaBuffer>& buffers, size_t alignment);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_ARENA_LAYOUT_H_
