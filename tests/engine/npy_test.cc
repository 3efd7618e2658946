// The engine's .npy codec against numpy itself, and what it refuses.
#include "engine/npy.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ganserve {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Npy, NumpyReadsWhatWeWriteAndWeReadWhatNumpyWrites) {
  const std::string dir = ::testing::TempDir();
  const std::string ours = dir + "/ours.npy", theirs = dir + "/theirs.npy";
  ASSERT_TRUE(WriteNpy(ours, Tensor({2, 3}, {1, 2, 3, 4, 5, 6.5f})).ok());
  const std::string script = "import numpy as np; a = np.load('" + ours +
                             "'); assert a.dtype == np.float32 and a.shape == (2, 3), a; "
                             "assert a[1, 2] == 6.5; np.save('" +
                             theirs + "', (np.arange(12, dtype=np.float64).reshape(3, 4) * 0.5))";
  if (std::system(("/usr/bin/python3 -c \"import numpy\" 2>/dev/null")) != 0)
    GTEST_SKIP() << "no numpy";
  ASSERT_EQ(std::system(("/usr/bin/python3 -c \"" + script + "\"").c_str()), 0);
  auto array = ReadNpy(theirs);
  ASSERT_TRUE(array.ok()) << array.status();
  EXPECT_THAT(array->shape, ElementsAre(3, 4));
  EXPECT_EQ(array->data[11], 5.5f);
}

TEST(Npy, RefusesWhatItCannotRead) {
  EXPECT_THAT(std::string(ParseNpy("hello").status().message()), HasSubstr("magic"));
  std::string bytes = SerializeNpy(Tensor({4}, {1, 2, 3, 4}));
  EXPECT_THAT(std::string(ParseNpy(bytes.substr(0, bytes.size() - 4)).status().message()),
              HasSubstr("implies 16"));
  std::string complex_type = SerializeNpy(Tensor({1}, {1}));
  complex_type.replace(complex_type.find("<f4"), 3, "<c8");
  EXPECT_THAT(std::string(ParseNpy(complex_type).status().message()),
              HasSubstr("'<c8' is not supported"));
}

TEST(Npy, ReadsBackWhatItWritesInEveryRank) {
  for (const Dims& shape : {Dims{}, Dims{3}, Dims{2, 3}, Dims{1, 2, 2, 1}}) {
    Tensor t(shape);
    for (int64_t i = 0; i < t.size(); ++i) t.data[i] = 0.25f * i - 1;
    auto back = ParseNpy(SerializeNpy(t));
    ASSERT_TRUE(back.ok()) << DimsToString(shape) << ": " << back.status();
    EXPECT_EQ(back->shape, shape);
    EXPECT_EQ(back->data, t.data);
    EXPECT_EQ(SerializeNpy(t).size() % 64, t.data.size() * sizeof(float) % 64)
        << "the data starts on a 64-byte boundary";
  }
}

}  // namespace
}  // namespace ganserve
