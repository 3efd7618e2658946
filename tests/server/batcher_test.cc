// The Batcher on a real generator, its worker held by the before_batch hook
// and time moved by a hand clock: what a free worker takes, what a busy one
// lets pile up, what is dropped and what is refused. No sleeps.
#include "server/batcher.h"

#include <condition_variable>
#include <future>
#include <mutex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/worker_gate.h"
#include "tests/testing/test_models.h"

namespace ganserve::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class HandClock final : public Clock {
 public:
  TimePoint Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Advance(std::chrono::microseconds by) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += by;
  }

 private:
  mutable std::mutex mu_;
  TimePoint now_ = TimePoint() + std::chrono::hours(1);
};

class BatcherTest : public ::testing::Test {
 protected:
  void Start(BatcherOptions options) {
    options.before_batch = gate_.Hook();
    generator_ = MakeGenerator(UnconditionalModel(3));
    Batcher::Context context{"m", nullptr, std::make_shared<ModelCounters>(), &clock_};
    auto batcher = Batcher::Create(options, generator_, context);
    ASSERT_TRUE(batcher.ok()) << batcher.status();
    batcher_ = *std::move(batcher);
  }
  void TearDown() override {
    gate_.Release();
    batcher_.reset();
  }

  // A call of `count` images with latents that tell it apart; its answer
  // lands in the returned future.
  std::future<absl::StatusOr<std::vector<float>>> Submit(int64_t count, float tag,
                                                         absl::Status* refusal = nullptr,
                                                         WorkItem item = {}) {
    const int64_t z = generator_->latent_size();
    item.count = count;
    item.latents.resize(count * z);
    for (int64_t i = 0; i < count * z; ++i) item.latents[i] = tag + 0.01f * static_cast<float>(i);
    auto promise = std::make_shared<std::promise<absl::StatusOr<std::vector<float>>>>();
    auto future = promise->get_future();
    const int64_t size = generator_->image_size();
    item.done = [promise, size](absl::StatusOr<BatchSlice> slice) {
      if (!slice.ok()) {
        promise->set_value(slice.status());
        return;
      }
      const float* first = slice->image(0, size);
      promise->set_value(std::vector<float>(first, first + slice->count * size));
    };
    absl::Status status = batcher_->Submit(std::move(item), count);
    if (refusal) *refusal = status;
    return future;
  }

  // The engine's own answer for those latents, run alone.
  std::vector<float> Expected(int64_t count, float tag) {
    const int64_t z = generator_->latent_size();
    std::vector<float> latents(count * z);
    for (int64_t i = 0; i < count * z; ++i) latents[i] = tag + 0.01f * static_cast<float>(i);
    auto context = generator_->NewContext();
    Tensor images;
    EXPECT_TRUE(generator_->Run(*context, latents, {}, images).ok());
    return images.data;
  }

  HandClock clock_;
  WorkerGate gate_{/*held=*/true};
  std::shared_ptr<const LoadedGenerator> generator_;
  std::unique_ptr<Batcher> batcher_;
};

TEST_F(BatcherTest, AFreeWorkerRunsACallAloneAndBatchesGrowOnlyWhileItIsBusy) {
  BatcherOptions options;
  options.max_batch = 16;
  Start(options);
  auto first = Submit(1, 0.5f);
  gate_.WaitForBatches(1);  // taken at once: a batch of one, no wait for company
  auto second = Submit(2, -0.25f);
  auto third = Submit(3, 0.75f);
  auto fourth = Submit(1, 0.1f);
  gate_.Release();
  for (auto* call : {&first, &second, &third, &fourth}) ASSERT_TRUE(call->get().ok());
  EXPECT_THAT(gate_.sizes(), ElementsAre(1, 6));  // what queued meanwhile, together
}

TEST_F(BatcherTest, EachCallGetsTheImagesTheEngineMakesForItsLatentsAlone) {
  BatcherOptions options;
  options.max_batch = 8;
  Start(options);
  auto hold = Submit(1, 0.0f);
  gate_.WaitForBatches(1);
  const std::vector<std::pair<int64_t, float>> calls = {{3, 0.3f}, {1, -0.6f}, {4, 0.9f}};
  std::vector<std::future<absl::StatusOr<std::vector<float>>>> answers;
  for (const auto& [count, tag] : calls) answers.push_back(Submit(count, tag));
  gate_.Release();
  ASSERT_TRUE(hold.get().ok());
  for (size_t i = 0; i < calls.size(); ++i) {
    absl::StatusOr<std::vector<float>> images = answers[i].get();
    ASSERT_TRUE(images.ok()) << images.status();
    const std::vector<float> expected = Expected(calls[i].first, calls[i].second);
    ASSERT_EQ(images->size(), expected.size());
    for (size_t j = 0; j < expected.size(); ++j) {
      ASSERT_NEAR((*images)[j], expected[j], 1e-5f) << "call " << i << " value " << j;
    }
  }
  EXPECT_THAT(gate_.sizes(), ElementsAre(1, 8));
}

TEST_F(BatcherTest, CancelledAndExpiredCallsAreAnsweredWithoutCompute) {
  BatcherOptions options;
  Start(options);
  auto hold = Submit(1, 0.0f);
  gate_.WaitForBatches(1);
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  WorkItem cancellable;
  cancellable.cancelled = cancelled;
  auto dropped_by_cancel = Submit(2, 0.1f, nullptr, std::move(cancellable));
  WorkItem expiring;
  expiring.deadline = clock_.Now() + std::chrono::milliseconds(5);
  auto dropped_by_deadline = Submit(3, 0.2f, nullptr, std::move(expiring));
  auto kept = Submit(4, 0.3f);
  cancelled->store(true);
  clock_.Advance(std::chrono::milliseconds(6));
  gate_.Release();
  EXPECT_EQ(dropped_by_cancel.get().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(dropped_by_deadline.get().status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(kept.get().ok());
  EXPECT_TRUE(hold.get().ok());
  EXPECT_THAT(gate_.sizes(), ElementsAre(1, 4));
}

TEST_F(BatcherTest, AFullQueueRefusesAtOnceNamingTheModel) {
  BatcherOptions options;
  options.max_batch = 8;
  options.admission.max_queued_images = 8;
  Start(options);
  auto hold = Submit(1, 0.0f);
  gate_.WaitForBatches(1);
  absl::Status status;
  auto queued = Submit(8, 0.1f, &status);
  ASSERT_TRUE(status.ok()) << status;
  auto refused = Submit(1, 0.2f, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("model m: the model's queue is full"));
  EXPECT_TRUE(RetryAfterMs(status).has_value());
  Submit(9, 0.3f, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << "more than max_batch";
  gate_.Release();
  EXPECT_TRUE(queued.get().ok());
}

TEST_F(BatcherTest, AQueueDelayLetsAFreeWorkerWaitForCompanyUntilTheOldestCallIsThatOld) {
  BatcherOptions options;
  options.max_batch = 8;
  options.max_queue_delay = std::chrono::microseconds(2000);
  Start(options);
  gate_.Release();
  auto first = Submit(1, 0.0f);
  auto second = Submit(2, 0.1f);  // the worker is free but waits: the oldest call is 0 µs old
  clock_.Advance(std::chrono::microseconds(2000));
  auto third = Submit(1, 0.2f);  // wakes the worker, which now finds the oldest 2000 µs old
  for (auto* call : {&first, &second, &third}) ASSERT_TRUE(call->get().ok());
  EXPECT_THAT(gate_.sizes(), ElementsAre(4));
}

// A worker's rate counts its whole turn: a batch that takes no time to
// compute on this clock but 100 ms to deliver (its callbacks encode and
// send) makes the queue's wait 100 ms per four images.
TEST_F(BatcherTest, TheWaitEstimateCountsTheTimeAWorkerSpendsDeliveringABatch) {
  BatcherOptions options;
  options.max_batch = 4;
  options.workers = 1;
  options.admission.max_queue_time = std::chrono::milliseconds(150);
  Start(options);
  gate_.Release();
  const int64_t z = generator_->latent_size();
  std::promise<void> delivered;
  WorkItem slow;
  slow.count = 4;
  slow.latents.assign(4 * z, 0.1f);
  slow.done = [&](absl::StatusOr<BatchSlice>) {
    clock_.Advance(std::chrono::milliseconds(100));
    delivered.set_value();
  };
  ASSERT_TRUE(batcher_->Submit(std::move(slow), 4).ok());
  delivered.get_future().wait();
  gate_.Hold(true);
  auto hold = Submit(1, 0.0f);
  gate_.WaitForBatches(2);  // the worker has finished the slow turn and holds this call
  // Seconds per image: the mean, 0.1 s over 4 + 0.9 × 4 warm-up images that
  // took no time, plus twice the slow turn's decayed deviation from it.
  const double mean = 0.1 / 7.6;
  const double per_image = mean + 2 * 0.1 * (0.1 / 4 - mean);
  std::vector<std::future<absl::StatusOr<std::vector<float>>>> admitted;
  absl::Status status;
  for (int queued = 0; (queued + 1) * per_image <= 0.150; queued += 4) {  // + the held call
    admitted.push_back(Submit(4, 0.2f, &status));
    ASSERT_TRUE(status.ok()) << "with " << queued << " images queued: " << status;
  }
  Submit(4, 0.3f, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("estimated queue wait (202 ms for 12 images queued, 1 running)"));
  gate_.Release();
  EXPECT_TRUE(hold.get().ok());
  for (auto& call : admitted) EXPECT_TRUE(call.get().ok());
}

// The polling worker is woken by nothing but the queue changing: with a
// poll far longer than the test, a missed call would never be answered, and
// a missed stop would hold the destructor for a minute.
TEST_F(BatcherTest, AWorkerPollingForWorkAnswersEachCallAndStopsAtOnce) {
  BatcherOptions options;
  options.max_batch = 4;
  options.workers = 2;
  options.idle_spin = std::chrono::minutes(1);
  Start(options);
  gate_.Release();
  for (int i = 0; i < 50; ++i) {
    const float tag = 0.01f * static_cast<float>(i);
    auto call = Submit(1 + i % 3, tag);
    ASSERT_EQ(call.wait_for(std::chrono::seconds(20)), std::future_status::ready) << "call " << i;
    EXPECT_EQ(*call.get(), Expected(1 + i % 3, tag));
  }
  const auto start = std::chrono::steady_clock::now();
  batcher_.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

}  // namespace
}  // namespace ganserve::testing
