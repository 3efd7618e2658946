// LayOutArena: buffers alive at the same step never share bytes; the others
// reuse them, so a chain of layers needs about its two largest neighbours.
#include "engine/onednn/arena_layout.h"

#include "gtest/gtest.h"

namespace ganserve {
namespace {

bool Overlap(size_t a, size_t a_bytes, size_t b, size_t b_bytes) {
  return a < b + b_bytes && b < a + a_bytes;
}

TEST(ArenaLayout, BuffersAliveTogetherGetDisjointAlignedBytes) {
  const std::vector<ArenaBuffer> buffers{{100, 0, 2}, {300, 1, 3}, {50, 2, 2}, {10, -1, 9}};
  const ArenaLayout layout = LayOutArena(buffers, 64);
  for (size_t i = 0; i < buffers.size(); ++i) {
    EXPECT_EQ(layout.offsets[i] % 64, 0u) << i;
    EXPECT_LE(layout.offsets[i] + buffers[i].bytes, layout.bytes) << i;
    for (size_t j = 0; j < i; ++j) {
      // Every pair here is alive at some common step.
      EXPECT_FALSE(
          Overlap(layout.offsets[i], buffers[i].bytes, layout.offsets[j], buffers[j].bytes))
          << i << " and " << j;
    }
  }
}

TEST(ArenaLayout, AChainOfLayersReusesWhatEarlierLayersFreed) {
  // Layer k reads buffer k-1 and writes buffer k at step k.
  const std::vector<ArenaBuffer> chain{
      {1000, -1, 0}, {4000, 0, 1}, {2000, 1, 2}, {3000, 2, 3}, {500, 3, 4}};
  const ArenaLayout layout = LayOutArena(chain, 64);
  // At most the two largest buffers (and alignment), against 10,500 bytes for all five.
  EXPECT_LE(layout.bytes, 4000u + 3000u + 2 * 64u);
  for (size_t i = 1; i < chain.size(); ++i) {
    EXPECT_FALSE(
        Overlap(layout.offsets[i], chain[i].bytes, layout.offsets[i - 1], chain[i - 1].bytes))
        << i;
  }
}

TEST(ArenaLayout, NoBuffersNeedNoArena) { EXPECT_EQ(LayOutArena({}, 64).bytes, 0u); }

}  // namespace
}  // namespace ganserve
