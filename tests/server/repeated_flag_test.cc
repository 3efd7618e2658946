#include "server/repeated_flag.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ganserve {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Occurrences(std::vector<const char*> args) {
  args.insert(args.begin(), "ganserve");
  return FlagOccurrences(static_cast<int>(args.size()), args.data(), "model");
}

TEST(FlagOccurrences, EverySpellingAbseilAcceptsIsCollectedInOrder) {
  EXPECT_THAT(Occurrences({"--model=a=x", "-model", "b=y", "--model", "c=z,d=w", "-model=e=v"}),
              ElementsAre("a=x", "b=y", "c=z,d=w", "e=v"));
}

TEST(FlagOccurrences, OtherFlagsAndTheirValuesAreSkipped) {
  EXPECT_THAT(Occurrences({"--model_repository=/m", "--models=y", "model=z", "--model=a=x"}),
              ElementsAre("a=x"));
}

TEST(FlagOccurrences, NothingAfterADoubleDashIsAFlag) {
  EXPECT_THAT(Occurrences({"--model=a=x", "--", "--model=b=y"}), ElementsAre("a=x"));
}

TEST(FlagOccurrences, AFlagWithoutItsValueAtTheEndGivesNothing) {
  EXPECT_THAT(Occurrences({"--model"}), IsEmpty());
}

}  // namespace
}  // namespace ganserve
