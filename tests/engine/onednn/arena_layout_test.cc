// LayOutArena: buffers alive at the same step (or one ending the step before
// another starts) never share bytes; the others reuse them, so a chain of
// layers needs about three neighbours, not all of its buffers.
#include "engine/onednn/arena_layout.h"

#include <climits>

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

TEST(ArenaLayout, AChainOfLayersReusesWhatLayersTwoStepsBackFreed) {
  // Layer k reads buffer k-1 and writes buffer k at step k.
  std::vector<ArenaBuffer> chain;
  for (int k = 0; k < 8; ++k) chain.push_back({1000, k - 1, k});
  const ArenaLayout layout = LayOutArena(chain, 64);
  EXPECT_EQ(layout.bytes, 2 * 1024u + 1000u) << "three buffers' worth, against 8,000 bytes";
  for (size_t i = 2; i < chain.size(); ++i) {
    for (size_t j = i - 2; j < i; ++j) {
      EXPECT_FALSE(Overlap(layout.offsets[i], chain[i].bytes, layout.offsets[j], chain[j].bytes))
          << i << " and " << j;
    }
  }
}

TEST(ArenaLayout, ABufferAliveForTheWholePlanSharesWithNoOther) {
  const std::vector<ArenaBuffer> buffers{{1000, -1, INT_MAX}, {1000, 3, 4}};
  const ArenaLayout layout = LayOutArena(buffers, 64);
  EXPECT_FALSE(Overlap(layout.offsets[0], 1000, layout.offsets[1], 1000));
}

TEST(ArenaLayout, NoBuffersNeedNoArena) { EXPECT_EQ(LayOutArena({}, 64).bytes, 0u); }

}  // namespace
}  // namespace ganserve
