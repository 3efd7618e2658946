// The response cache drops least recently used entries once over budget.
#include "server/response_cache.h"

#include "gtest/gtest.h"

namespace ganserve {
namespace {

TEST(ResponseCache, EvictsLeastRecentlyUsedByBytes) {
  ResponseCache cache(30);  // a key of 1 byte + a value of 9: three entries fit
  cache.Put("a", std::string(9, 'a'));
  cache.Put("b", std::string(9, 'b'));
  cache.Put("c", std::string(9, 'c'));
  ASSERT_NE(cache.Get("a"), nullptr);  // a is now the most recent; b the least
  cache.Put("d", std::string(9, 'd'));
  EXPECT_EQ(cache.Get("b"), nullptr);
  EXPECT_EQ(*cache.Get("a"), std::string(9, 'a'));
  EXPECT_NE(cache.Get("c"), nullptr);
  EXPECT_NE(cache.Get("d"), nullptr);
  EXPECT_EQ(cache.bytes(), 30u);
  cache.Put("huge", std::string(100, 'h'));  // larger than the budget: not kept, nothing evicted
  EXPECT_EQ(cache.Get("huge"), nullptr);
  EXPECT_EQ(cache.bytes(), 30u);
  cache.Put("a", "x");  // replacing an entry re-counts its bytes
  EXPECT_EQ(cache.bytes(), 22u);
}

}  // namespace
}  // namespace ganserve
