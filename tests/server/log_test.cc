// An event is one line on stderr whatever its fields hold.
#include "server/log.h"

#include <string>

#include "gtest/gtest.h"

namespace ganserve {
namespace {

TEST(LogEvent, ControlBytesInAFieldLeaveOneWholeLine) {
  ::testing::internal::CaptureStderr();
  LogEvent(std::string("model_load_failed error=\"op 'a\0b\nc\rd'\"", 38));
  const std::string logged = ::testing::internal::GetCapturedStderr();
  const std::string expected = " ganserve model_load_failed error=\"op 'a b c d'\"\n";
  ASSERT_GE(logged.size(), expected.size()) << logged;
  EXPECT_EQ(logged.substr(logged.size() - expected.size()), expected) << logged;
  EXPECT_EQ(logged.find('\n'), logged.size() - 1) << logged;
}

}  // namespace
}  // namespace ganserve
