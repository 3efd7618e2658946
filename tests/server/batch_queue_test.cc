// The batching policy and admission by time, with time moved by hand.
#include "server/batch_queue.h"

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ganserve {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

const TimePoint kStart = TimePoint() + std::chrono::hours(1);

WorkItem Item(int64_t count, std::vector<int64_t>* order = nullptr, int64_t id = 0) {
  WorkItem item;
  item.count = count;
  item.latents.assign(count, 0.0f);
  item.done = [order, id](absl::StatusOr<BatchSlice>) {
    if (order) order->push_back(id);
  };
  return item;
}

AdmissionOptions Limits(milliseconds max_queue_time, int64_t max_queued_images) {
  AdmissionOptions limits;
  limits.max_queue_time = max_queue_time;
  limits.max_queued_images = max_queued_images;
  return limits;
}

std::vector<int64_t> Counts(const std::vector<WorkItem>& items) {
  std::vector<int64_t> counts;
  for (const WorkItem& item : items) counts.push_back(item.count);
  return counts;
}

TEST(BatchQueue, AFreeWorkerTakesWhatIsQueuedAtOnce) {
  BatchQueue queue(16, 1, microseconds(0), Limits(milliseconds(1000), 4096));
  std::vector<WorkItem> dropped;
  EXPECT_FALSE(queue.ReadyToTake(kStart));
  ASSERT_TRUE(queue.Push(Item(1), 1, Admission::kByTime, kStart, dropped).ok());
  EXPECT_TRUE(queue.ReadyToTake(kStart));  // no wait for company
  EXPECT_THAT(Counts(queue.Take(kStart, dropped)), ::testing::ElementsAre(1));
  EXPECT_TRUE(queue.empty());
}

TEST(BatchQueue, BatchesGrowFromWhatQueuedWhileWorkersWereBusyWithoutSplittingChunks) {
  BatchQueue queue(16, 1, microseconds(0), Limits(milliseconds(1000), 4096));
  std::vector<WorkItem> dropped;
  for (int64_t count : {5, 6, 4, 3, 16}) {
    ASSERT_TRUE(queue.Push(Item(count), count, Admission::kByTime, kStart, dropped).ok());
  }
  EXPECT_EQ(queue.queued_images(), 34);
  EXPECT_THAT(Counts(queue.Take(kStart, dropped)), ::testing::ElementsAre(5, 6, 4));  // 3 more > 16
  EXPECT_THAT(Counts(queue.Take(kStart, dropped)), ::testing::ElementsAre(3));
  EXPECT_THAT(Counts(queue.Take(kStart, dropped)), ::testing::ElementsAre(16));
  EXPECT_EQ(queue.queued_images(), 0);
}

TEST(BatchQueue, AQueueDelayWaitsForCompanyUntilTheOldestItemIsThatOldOrTheBatchIsFull) {
  BatchQueue queue(8, 1, microseconds(2000), Limits(milliseconds(1000), 4096));
  std::vector<WorkItem> dropped;
  ASSERT_TRUE(queue.Push(Item(3), 3, Admission::kByTime, kStart, dropped).ok());
  EXPECT_FALSE(queue.ReadyToTake(kStart + microseconds(1999)));
  EXPECT_EQ(queue.WaitUntil(), kStart + microseconds(2000));
  EXPECT_TRUE(queue.ReadyToTake(kStart + microseconds(2000)));
  ASSERT_TRUE(queue.Push(Item(5), 5, Admission::kByTime, kStart + microseconds(10), dropped).ok());
  EXPECT_TRUE(queue.ReadyToTake(kStart + microseconds(10)));  // 8 images: a full batch
}

TEST(BatchQueue, CancelledAndExpiredItemsAreDroppedNotTaken) {
  BatchQueue queue(16, 1, microseconds(0), Limits(milliseconds(1000), 4096));
  std::vector<WorkItem> dropped;
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  WorkItem a = Item(2);
  a.cancelled = cancelled;
  WorkItem b = Item(3);
  b.deadline = kStart + milliseconds(5);
  ASSERT_TRUE(queue.Push(std::move(a), 2, Admission::kByTime, kStart, dropped).ok());
  ASSERT_TRUE(queue.Push(std::move(b), 3, Admission::kByTime, kStart, dropped).ok());
  ASSERT_TRUE(queue.Push(Item(4), 4, Admission::kByTime, kStart, dropped).ok());
  cancelled->store(true);
  EXPECT_THAT(Counts(queue.Take(kStart + milliseconds(5), dropped)), ::testing::ElementsAre(4));
  EXPECT_THAT(Counts(dropped), ::testing::ElementsAre(2, 3));
  std::vector<absl::Status> answers;
  for (WorkItem& item : dropped) {
    item.done = [&answers](absl::StatusOr<BatchSlice> r) { answers.push_back(r.status()); };
    AnswerDropped(item);
  }
  EXPECT_EQ(answers[0].code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(answers[1].code(), absl::StatusCode::kDeadlineExceeded);
}

// A measured rate of 1.00625 ms per image per worker (off round numbers, so
// no limit is met exactly).
BatchQueue MeasuredQueue(milliseconds max_queue_time, int64_t cap, int workers = 1) {
  BatchQueue queue(16, workers, microseconds(0), Limits(max_queue_time, cap));
  queue.ObserveBatch(16, 0.0161);
  return queue;
}

// How many one-image calls are admitted before the first refusal, which is returned.
int AdmittedUntilRefused(BatchQueue& queue, absl::Status& refusal) {
  std::vector<WorkItem> dropped;
  for (int i = 0; i < 100000; ++i) {
    refusal = queue.Push(Item(1), 1, Admission::kByTime, kStart, dropped);
    if (!refusal.ok()) return i;
  }
  return -1;
}

TEST(Admission, ACallIsRefusedWhenTheEstimatedWaitExceedsMaxQueueTime) {
  BatchQueue queue = MeasuredQueue(milliseconds(100), 4096);
  absl::Status refused;
  // The call finding 99 images ahead waits 99.6 ms; with 100 ahead, 100.6 ms.
  EXPECT_EQ(AdmittedUntilRefused(queue, refused), 100);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(),
              HasSubstr("estimated queue wait (101 ms for 100 images queued, 0 running)"));
  EXPECT_THAT(refused.message(), HasSubstr("limit of 100 ms"));
  // Room comes in 0.6 ms, but the hint is at least the queue's whole wait,
  // so refused callers do not all return at once.
  EXPECT_GE(RetryAfterMs(refused), 101);
  EXPECT_LE(RetryAfterMs(refused), 202);
  // Later chunks of an admitted call only meet the hard cap.
  std::vector<WorkItem> dropped;
  EXPECT_TRUE(queue.Push(Item(16), 256, Admission::kCapOnly, kStart, dropped).ok());
}

// Hints over [wait, 2 × wait]: callers refused in one burst come back spread
// out, not as the same burst one wait later.
TEST(Admission, CallersRefusedTogetherAreToldToComeBackAtSpreadOutTimes) {
  BatchQueue queue = MeasuredQueue(milliseconds(100), 4096);
  absl::Status refused;
  ASSERT_EQ(AdmittedUntilRefused(queue, refused), 100);  // a wait of 100.6 ms
  std::vector<int64_t> hints;
  std::vector<WorkItem> dropped;
  for (int i = 0; i < 200; ++i) {
    absl::Status status = queue.Push(Item(1), 1, Admission::kByTime, kStart, dropped);
    ASSERT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
    hints.push_back(*RetryAfterMs(status));
  }
  std::sort(hints.begin(), hints.end());
  EXPECT_GE(hints.front(), 101);
  EXPECT_LE(hints.back(), 202);
  EXPECT_LT(hints[20], 131) << "the earliest tenth comes back in the first 30 ms past the wait";
  EXPECT_GT(hints[180], 171) << "the latest tenth in the last 30 ms";
}

// The batch a worker is running is ahead of every new call too.
TEST(Admission, ImagesTakenByAWorkerCountAsAheadUntilItFinishesThem) {
  BatchQueue queue = MeasuredQueue(milliseconds(100), 4096);
  std::vector<WorkItem> dropped;
  for (int i = 0; i < 16; ++i) {
    ASSERT_TRUE(queue.Push(Item(1), 1, Admission::kByTime, kStart, dropped).ok());
  }
  ASSERT_EQ(queue.Take(kStart, dropped).size(), 16u);
  absl::Status refused;
  EXPECT_EQ(AdmittedUntilRefused(queue, refused), 84);
  EXPECT_THAT(refused.message(), HasSubstr("(101 ms for 84 images queued, 16 running)"));
  queue.Finished(16);
  EXPECT_EQ(AdmittedUntilRefused(queue, refused), 16);
}

TEST(Admission, TwoWorkersHalveTheEstimatedWait) {
  BatchQueue queue = MeasuredQueue(milliseconds(100), 4096, /*workers=*/2);
  absl::Status refused;
  EXPECT_EQ(AdmittedUntilRefused(queue, refused), 199);  // 199 × 1.00625 / 2 = 100.1 ms
}

TEST(Admission, ACallWhoseDeadlineIsShorterThanWaitPlusComputeIsRefusedAtOnce) {
  BatchQueue queue = MeasuredQueue(milliseconds(1000), 4096);
  std::vector<WorkItem> dropped;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(queue.Push(Item(1), 1, Admission::kByTime, kStart, dropped).ok());
  }
  WorkItem item = Item(16);
  item.deadline = kStart + milliseconds(20);  // 10.06 ms wait + 32.2 ms for its 32 images
  absl::Status refused = queue.Push(std::move(item), 32, Admission::kByTime, kStart, dropped);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(), HasSubstr("deadline (20 ms left)"));
  EXPECT_THAT(refused.message(), HasSubstr("(42 ms)"));
  EXPECT_GE(RetryAfterMs(refused), 23);  // 22.3 ms short, stretched by up to 2×
  EXPECT_LE(RetryAfterMs(refused), 45);
  WorkItem roomy = Item(16);
  roomy.deadline = kStart + milliseconds(43);
  EXPECT_TRUE(queue.Push(std::move(roomy), 32, Admission::kByTime, kStart, dropped).ok());
}

TEST(Admission, TheHardCapHoldsWhateverTheEstimateAndAbandonedItemsGiveUpTheirPlaces) {
  BatchQueue queue(16, 1, microseconds(0), Limits(milliseconds(1000), 32));  // no rate yet
  std::vector<WorkItem> dropped;
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  WorkItem first = Item(16);
  first.cancelled = cancelled;
  ASSERT_TRUE(queue.Push(std::move(first), 16, Admission::kByTime, kStart, dropped).ok());
  ASSERT_TRUE(queue.Push(Item(16), 16, Admission::kByTime, kStart, dropped).ok());
  absl::Status full = queue.Push(Item(1), 1, Admission::kCapOnly, kStart, dropped);
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("queue is full (32 images queued, at most 32)"));
  EXPECT_TRUE(RetryAfterMs(full).has_value());
  cancelled->store(true);
  EXPECT_TRUE(queue.Push(Item(1), 1, Admission::kByTime, kStart, dropped).ok());
  EXPECT_THAT(Counts(dropped), ::testing::ElementsAre(16));
  EXPECT_EQ(queue.queued_images(), 17);
}

TEST(Admission, TheRateFollowsRecentBatches) {
  ThroughputEstimate rate;
  EXPECT_EQ(rate.seconds_per_image(), 0.0);
  rate.Observe(16, 0.016);
  EXPECT_DOUBLE_EQ(rate.seconds_per_image(), 0.001);
  for (int i = 0; i < 50; ++i) rate.Observe(16, 0.032);
  EXPECT_NEAR(rate.seconds_per_image(), 0.002, 0.00002);
}

// Batches that swing between 1 and 3 ms an image average 2 ms, each 1 ms off
// the mean, so the estimate reads about 2 + 2 × 1 ms.
TEST(Admission, TheRateLeansSlowByHowMuchBatchesVary) {
  ThroughputEstimate rate;
  for (int i = 0; i < 100; ++i) rate.Observe(16, i % 2 == 0 ? 0.016 : 0.048);
  EXPECT_GT(rate.seconds_per_image(), 0.0035);
  EXPECT_LT(rate.seconds_per_image(), 0.0045);
}

}  // namespace
}  // namespace ganserve
