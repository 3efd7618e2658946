// PhaseCopyLayout: the strides the phase copies use address the same
// elements oneDNN's own blocking descriptor does, and a layout is kept only
// where the next step can take it.
#include "engine/onednn/phase_copy_layout.h"

#include "gtest/gtest.h"

namespace ganserve {
namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

// Element offset of (n, c, y, x) from oneDNN's blocking descriptor.
int64_t OffsetIn(const dnnl::memory::desc& md, int64_t n, int64_t c, int64_t y, int64_t x) {
  const dnnl_blocking_desc_t& b = md.data.format_desc.blocking;
  const int64_t inner = b.inner_nblks == 1 && b.inner_idxs[0] == 1 ? b.inner_blks[0] : 1;
  return n * b.strides[0] + c / inner * b.strides[1] + c % inner + y * b.strides[2] +
         x * b.strides[3];
}

// Every run the copy addresses through `l` is `run` consecutive channels of `md`.
void ExpectRunsAddress(const RunLayout& l, int64_t run, const dnnl::memory::desc& md) {
  const dnnl::memory::dims d = md.dims();
  for (int64_t n = 0; n < d[0]; ++n) {
    for (int64_t k = 0; k < d[1] / run; ++k) {
      for (int64_t y = 0; y < d[2]; ++y) {
        for (int64_t x = 0; x < d[3]; ++x) {
          const int64_t at = n * l.n + k * l.block + y * l.y + x * l.x;
          for (int64_t j = 0; j < run; ++j) {
            ASSERT_EQ(at + j, OffsetIn(md, n, k * run + j, y, x)) << n << k << y << x << j;
          }
        }
      }
    }
  }
}

const dnnl::memory::dims kPhase{2, 32, 3, 5}, kResult{2, 32, 6, 10};

TEST(PhaseCopyLayout, FusedBlockedOutputIsCopiedAndKeptInBlocks) {
  for (const auto& [block, layout_tag] : {std::pair{8, tag::aBcd8b}, std::pair{16, tag::aBcd16b}}) {
    const dnnl::memory::desc conv_out(kPhase, dt::f32, layout_tag);
    const PhaseCopyLayout l = PhaseCopyLayout::Of({conv_out}, /*fused=*/true);
    EXPECT_TRUE(l.ReadsConvOutput());
    EXPECT_TRUE(l.KeepsLayout());
    EXPECT_EQ(l.Run(32), block);
    EXPECT_EQ(l.ResultMd(kResult), dnnl::memory::desc(kResult, dt::f32, layout_tag));
    ExpectRunsAddress(l.Source(3, 5, 1, 32), block, conv_out);
    ExpectRunsAddress(l.Result(6, 10, 32), block, l.ResultMd(kResult));
  }
}

TEST(PhaseCopyLayout, UnfusedResultIsPlainF32ForTheActivationLoop) {
  const dnnl::memory::desc conv_out(kPhase, dt::f32, tag::aBcd8b);
  const PhaseCopyLayout l = PhaseCopyLayout::Of({conv_out}, /*fused=*/false);
  EXPECT_TRUE(l.ReadsConvOutput());
  EXPECT_FALSE(l.KeepsLayout());
  EXPECT_EQ(l.ResultMd(kResult), dnnl::memory::desc(kResult, dt::f32, tag::nhwc));
  ExpectRunsAddress(l.Source(3, 5, 1, 32), 8, conv_out);
  ExpectRunsAddress(l.Result(6, 10, 32), 8, l.ResultMd(kResult));
  // Blocked bf16 would need converting inside the copy: reordered to plain f32 first.
  const PhaseCopyLayout bf16 =
      PhaseCopyLayout::Of({dnnl::memory::desc(kPhase, dt::bf16, tag::aBcd8b)}, false);
  EXPECT_FALSE(bf16.ReadsConvOutput());
  EXPECT_EQ(bf16.ElementBytes(), sizeof(float));
}

TEST(PhaseCopyLayout, FusedBf16NhwcIsCopiedAsItIs) {
  const dnnl::memory::desc conv_out(kPhase, dt::bf16, tag::nhwc);
  const PhaseCopyLayout l = PhaseCopyLayout::Of({conv_out}, /*fused=*/true);
  EXPECT_TRUE(l.KeepsLayout());
  EXPECT_EQ(l.ElementBytes(), 2u);
  EXPECT_EQ(l.ResultMd(kResult), dnnl::memory::desc(kResult, dt::bf16, tag::nhwc));
  ExpectRunsAddress(l.Source(3, 5, 1, 32), 32, conv_out);
  ExpectRunsAddress(l.Result(6, 10, 32), 32, l.ResultMd(kResult));
}

TEST(PhaseCopyLayout, FusedBf16ForAnF32ReaderIsWidenedIntoPlainF32) {
  const dnnl::memory::desc conv_out(kPhase, dt::bf16, tag::aBcd16b);
  const PhaseCopyLayout l = PhaseCopyLayout::Of({conv_out}, /*fused=*/true, /*to_f32=*/true);
  EXPECT_TRUE(l.ReadsConvOutput());
  EXPECT_TRUE(l.Widens());
  EXPECT_FALSE(l.KeepsLayout());
  EXPECT_EQ(l.ElementBytes(), 2u);
  EXPECT_EQ(l.ResultMd(kResult), dnnl::memory::desc(kResult, dt::f32, tag::nhwc));
  ExpectRunsAddress(l.Source(3, 5, 1, 32), 16, conv_out);
  ExpectRunsAddress(l.Result(6, 10, 32), 16, l.ResultMd(kResult));
  // f32 needs no widening: the blocks are kept; unfused bf16 is reordered first.
  const dnnl::memory::desc f32_out(kPhase, dt::f32, tag::aBcd16b);
  EXPECT_FALSE(PhaseCopyLayout::Of({f32_out}, true, true).Widens());
  EXPECT_TRUE(PhaseCopyLayout::Of({f32_out}, true, true).KeepsLayout());
  EXPECT_FALSE(PhaseCopyLayout::Of({conv_out}, false, true).Widens());
}

TEST(PhaseCopyLayout, PhasesOfOneConvolutionSitSideBySideInItsChannels) {
  // Four phases of 16 channels, blocked by 8: phase p starts at channel 16p.
  const dnnl::memory::desc conv_out({2, 64, 3, 5}, dt::f32, tag::aBcd8b);
  const PhaseCopyLayout l = PhaseCopyLayout::Of({conv_out}, true);
  const RunLayout src = l.Source(3, 5, 4, 16);
  EXPECT_EQ(src.phase * 3, OffsetIn(conv_out, 0, 48, 0, 0));
  const dnnl::memory::desc plain({2, 64, 3, 5}, dt::f32, tag::nhwc);
  EXPECT_EQ(PhaseCopyLayout::Of({plain}, true).Source(3, 5, 4, 16).phase * 3,
            OffsetIn(plain, 0, 48, 0, 0));
}

TEST(PhaseCopyLayout, PhasesInDifferentLayoutsOrPartialBlocksGoPlain) {
  const PhaseCopyLayout mixed =
      PhaseCopyLayout::Of({dnnl::memory::desc(kPhase, dt::f32, tag::aBcd8b),
                           dnnl::memory::desc({2, 32, 3, 4}, dt::f32, tag::aBcd16b)},
                          true);
  EXPECT_FALSE(mixed.ReadsConvOutput());
  EXPECT_EQ(mixed.ResultMd(kResult), dnnl::memory::desc(kResult, dt::f32, tag::nhwc));
  const PhaseCopyLayout partial =
      PhaseCopyLayout::Of({dnnl::memory::desc({2, 24, 3, 5}, dt::f32, tag::aBcd16b)}, true);
  EXPECT_FALSE(partial.ReadsConvOutput());
  EXPECT_EQ(partial.Run(24), 24);
}

}  // namespace
}  // namespace ganserve
