// Output lengths and placement against the rules stated by Keras and
// TensorFlow (shared/DESIGN.md), computed here by hand for each case.
#include "engine/ops/conv_geometry.h"

#include "gtest/gtest.h"

namespace ganserve {
namespace {

TEST(ConvGeometry, SameStrideTwoPutsTheOddPixelAtTheEnd) {
  // in 5, k 3, s 2: out ceil(5/2) = 3, total pad (3-1)*2+3-5 = 2 -> (1, 1).
  AxisGeometry g = ConvAxis(5, 3, 2, 1, Padding::kSame);
  EXPECT_EQ(g.out, 3);
  EXPECT_EQ(g.pad_begin, 1);
  EXPECT_EQ(g.pad_end, 1);
  // in 6, k 3, s 2: out 3, total pad (3-1)*2+3-6 = 1 -> (0, 1): TF pads the end.
  g = ConvAxis(6, 3, 2, 1, Padding::kSame);
  EXPECT_EQ(g.out, 3);
  EXPECT_EQ(g.pad_begin, 0);
  EXPECT_EQ(g.pad_end, 1);
}

TEST(ConvGeometry, ValidDilatedKernel) {
  // k 3 dilation 2 -> effective 5; in 9 stride 1 -> 5.
  EXPECT_EQ(ConvAxis(9, 3, 1, 2, Padding::kValid).out, 5);
}

TEST(ConvTransposeGeometry, KerasValidLengthIsInTimesStridePlusOverhang) {
  EXPECT_EQ(TransposedConvAxis(2, 1, 2, 1, Padding::kValid).out, 4);   // k < s: bias rows
  EXPECT_EQ(TransposedConvAxis(2, 1, 2, 1, Padding::kValid).pad_end, -1);
  EXPECT_EQ(TransposedConvAxis(5, 3, 2, 1, Padding::kValid).out, 11);
  EXPECT_EQ(TransposedConvAxis(7, 4, 2, 1, Padding::kValid).out, 16);
}

TEST(ConvTransposeGeometry, SameOddKernelCropsEndLikeTensorFlow) {
  // k5 s2: crop 3 = 1 at the start, 2 at the end. k3 s2: 0 and 1.
  AxisGeometry g = TransposedConvAxis(7, 5, 2, 1, Padding::kSame);
  EXPECT_EQ(g.out, 14);
  EXPECT_EQ(g.pad_begin, 1);
  EXPECT_EQ(g.pad_end, 2);
  g = TransposedConvAxis(5, 3, 2, 1, Padding::kSame);
  EXPECT_EQ(g.out, 10);
  EXPECT_EQ(g.pad_begin, 0);
  EXPECT_EQ(g.pad_end, 1);
}

TEST(ConvTransposeGeometry, KerasOutputPadding) {
  // (in-1)*s + k - 2*(k//2) + op: in 5, k 3, s 2, same, op 1 -> 8+3-2+1 = 10.
  AxisGeometry g = TransposedConvAxis(5, 3, 2, 1, Padding::kSame, 1);
  EXPECT_EQ(g.out, 10);
  EXPECT_EQ(g.pad_begin, 0);  // total (11 - 10) / 2
  // valid, op 1: (5-1)*2 + 3 + 1 = 12, nothing cropped, one bias row appended.
  g = TransposedConvAxis(5, 3, 2, 1, Padding::kValid, 1);
  EXPECT_EQ(g.out, 12);
  EXPECT_EQ(g.pad_end, -1);
}

TEST(ConvTransposeGeometry, OnnxExplicitPads) {
  // PyTorch ConvTranspose2d(k4, s2, p1) on 7: (7-1)*2 - 2 + 4 = 14.
  AxisGeometry g = TransposedConvAxis(7, 4, 2, 1, Padding::kExplicit, 0, 1, 1);
  EXPECT_EQ(g.out, 14);
  EXPECT_EQ(g.pad_begin, 1);
}

}  // namespace
}  // namespace ganserve
