// GenerationRun against a real batcher and generator: images in order and
// equal to the engine's, flow control by consumption, cancel and refusal.
#include "server/generation_run.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/worker_gate.h"
#include "tests/testing/test_models.h"

namespace ganserve::testing {
namespace {

using ::testing::HasSubstr;

// Records what the run hands its sink; lets the test wait for it.
struct Received {
  std::mutex mu;
  std::condition_variable changed;
  std::vector<EncodedImage> images;
  std::vector<absl::Status> done;

  GenerationSink Sink() {
    return {[this](EncodedImage image) {
              std::lock_guard<std::mutex> lock(mu);
              images.push_back(std::move(image));
              changed.notify_all();
            },
            [this](absl::Status status) {
              std::lock_guard<std::mutex> lock(mu);
              done.push_back(std::move(status));
              changed.notify_all();
            }};
  }
  void WaitForImages(size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    changed.wait(lock, [&] { return images.size() >= n || !done.empty(); });
  }
  void WaitForDone() {
    std::unique_lock<std::mutex> lock(mu);
    changed.wait(lock, [&] { return !done.empty(); });
  }
};

class GenerationRunTest : public ::testing::Test {
 protected:
  void Start(int max_batch, int64_t max_queued_images = 4096) {
    auto servable = std::make_shared<Servable>();
    servable->name = "m";
    servable->generator = MakeGenerator(UnconditionalModel(5));
    servable->counters = std::make_shared<ModelCounters>();
    BatcherOptions options;
    options.max_batch = max_batch;
    options.admission.max_queued_images = max_queued_images;
    options.before_batch = gate_.Hook();
    auto batcher =
        Batcher::Create(options, servable->generator, {"m", nullptr, servable->counters});
    ASSERT_TRUE(batcher.ok()) << batcher.status();
    servable->batcher = *std::move(batcher);
    servable_ = servable;
  }
  void TearDown() override {
    Hold(false);
    ReleasePool();
    servable_.reset();
  }
  // Occupies every pool thread until ReleasePool(): a chunk's worker then
  // encodes and delivers all of it.
  void BlockPool() {
    for (int i = 0; i < pool_.threads(); ++i) {
      pool_.Post([this] {
        std::unique_lock<std::mutex> lock(pool_mu_);
        ++pool_blocked_;
        pool_changed_.notify_all();
        pool_changed_.wait(lock, [&] { return !pool_held_; });
      });
    }
    std::unique_lock<std::mutex> lock(pool_mu_);
    pool_changed_.wait(lock, [&] { return pool_blocked_ == pool_.threads(); });
  }
  void ReleasePool() {
    {
      std::lock_guard<std::mutex> lock(pool_mu_);
      pool_held_ = false;
    }
    pool_changed_.notify_all();
  }
  void Hold(bool hold) { gate_.Hold(hold); }
  void WaitUntilComputing(int64_t images) { gate_.WaitForImages(images); }
  int64_t computed() { return gate_.images(); }
  PreparedGeneration Work(int64_t count) {
    PreparedGeneration work;
    work.count = count;
    const int64_t z = servable_->generator->latent_size();
    for (int64_t i = 0; i < count * z; ++i) work.latents.push_back(0.02f * (i % 37) - 0.3f);
    return work;
  }

  std::shared_ptr<Servable> servable_;
  WorkerGate gate_{/*held=*/false};
  std::mutex pool_mu_;
  std::condition_variable pool_changed_;
  int pool_blocked_ = 0;
  bool pool_held_ = true;
  WorkPool pool_{2};  // last: joined first, while what its tasks touch is alive
};

TEST_F(GenerationRunTest, DeliversEveryImageInOrderAsTheEngineAloneEncodesIt) {
  Start(8);
  Received received;
  const PreparedGeneration work = Work(37);
  GenerationRunOptions options;
  options.encoding = ImageEncoding::kRawFloat32;
  options.return_latents = true;
  auto run = GenerationRun::Start(servable_, work, options, pool_, received.Sink());
  received.WaitForDone();
  ASSERT_EQ(received.done.size(), 1u);
  ASSERT_TRUE(received.done[0].ok()) << received.done[0];
  ASSERT_EQ(received.images.size(), 37u);
  const LoadedGenerator& g = *servable_->generator;
  auto context = g.NewContext();
  Tensor expected;
  ASSERT_TRUE(g.Run(*context, work.latents, {}, expected).ok());
  for (int64_t i = 0; i < 37; ++i) {
    const EncodedImage& image = received.images[i];
    EXPECT_EQ(image.index, i);
    EXPECT_EQ(image.label, -1);
    ASSERT_EQ(image.latent.size(), static_cast<size_t>(g.latent_size()));
    EXPECT_EQ(image.latent[0], work.latents[i * g.latent_size()]);
    ASSERT_EQ(image.data.size(), g.image_size() * sizeof(float));
    const float* pixels = reinterpret_cast<const float*>(image.data.data());
    for (int64_t p = 0; p < g.image_size(); ++p) {
      ASSERT_NEAR(pixels[p], expected.data[i * g.image_size() + p], 1e-5f) << i << " " << p;
    }
  }
}

// With every pool thread busy, the worker that ran a chunk encodes all of it
// (idle() says none is free) instead of queueing it behind the busy ones.
TEST_F(GenerationRunTest, ARunCompletesWhileEveryPoolThreadIsBusy) {
  Start(8);
  BlockPool();
  EXPECT_EQ(pool_.idle(), 0);
  Received received;
  auto run = GenerationRun::Start(servable_, Work(20), {}, pool_, received.Sink());
  received.WaitForDone();
  EXPECT_TRUE(received.done[0].ok()) << received.done[0];
  EXPECT_EQ(received.images.size(), 20u);
}

// The sink can hold the last reference to the model (an HTTP call's does),
// and a run often finishes on a batcher worker: were the sink dropped there,
// the model's ~Batcher could run on its own worker and join it from itself.
TEST_F(GenerationRunTest, TheSinkIsNeverDroppedOnABatcherWorker) {
  struct DropProbe {
    std::atomic<int>* on_worker;
    ~DropProbe() { on_worker->store(Batcher::OnWorkerThread() ? 1 : 0); }
  };
  std::atomic<int> dropped_on_worker{-1};
  Start(8);
  BlockPool();  // so the worker encodes and delivers all of it
  Received received;
  GenerationSink sink = received.Sink();
  sink.on_done = [probe = std::make_shared<DropProbe>(DropProbe{&dropped_on_worker}),
                  done = std::move(sink.on_done)](absl::Status status) { done(status); };
  GenerationRun::Start(servable_, Work(3), {}, pool_, std::move(sink));
  received.WaitForDone();
  EXPECT_TRUE(received.done[0].ok()) << received.done[0];
  ReleasePool();
  while (dropped_on_worker.load() < 0) std::this_thread::yield();
  EXPECT_EQ(dropped_on_worker.load(), 0);
}

TEST_F(GenerationRunTest, AReaderThatDoesNotConsumeHoldsAtMostTheWindow) {
  Start(8);
  Received received;
  GenerationRunOptions options;
  options.window = 16;
  options.consume_on_delivery = false;
  auto run = GenerationRun::Start(servable_, Work(100), options, pool_, received.Sink());
  received.WaitForImages(16);
  // Nothing more is submitted until the sink says it is done with some.
  EXPECT_EQ(computed(), 16);
  run->Consumed(8);
  received.WaitForImages(24);
  EXPECT_EQ(computed(), 24);
  run->Consumed(92);
  received.WaitForDone();
  EXPECT_TRUE(received.done[0].ok());
  EXPECT_EQ(received.images.size(), 100u);
  EXPECT_EQ(computed(), 100);
}

TEST_F(GenerationRunTest, CancelAnswersAtOnceAndQueuedChunksCostNoCompute) {
  Start(8);
  Hold(true);
  Received first, cancelled;
  auto holder = GenerationRun::Start(servable_, Work(8), {}, pool_, first.Sink());
  WaitUntilComputing(8);
  auto run = GenerationRun::Start(servable_, Work(16), {}, pool_, cancelled.Sink());
  run->Cancel();
  ASSERT_EQ(cancelled.done.size(), 1u);  // answered by Cancel itself, not by the worker
  EXPECT_EQ(cancelled.done[0].code(), absl::StatusCode::kCancelled);
  Hold(false);
  first.WaitForDone();
  EXPECT_TRUE(first.done[0].ok());
  holder.reset();
  run.reset();
  // One more call runs after the dropped chunks; only it and the first were computed.
  Received last;
  auto after = GenerationRun::Start(servable_, Work(1), {}, pool_, last.Sink());
  last.WaitForDone();
  EXPECT_EQ(computed(), 9);
  EXPECT_TRUE(cancelled.images.empty());
}

TEST_F(GenerationRunTest, ARefusedCallIsAnsweredFromStartWithTheRetryHint) {
  Start(8, /*max_queued_images=*/8);
  Hold(true);
  Received computing, queued, refused;
  auto a = GenerationRun::Start(servable_, Work(8), {}, pool_, computing.Sink());
  WaitUntilComputing(8);
  auto b = GenerationRun::Start(servable_, Work(8), {}, pool_, queued.Sink());
  auto c = GenerationRun::Start(servable_, Work(1), {}, pool_, refused.Sink());
  ASSERT_EQ(refused.done.size(), 1u);
  EXPECT_EQ(refused.done[0].code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.done[0].message(), HasSubstr("queue is full"));
  EXPECT_TRUE(RetryAfterMs(refused.done[0]).has_value());
  Hold(false);
  queued.WaitForDone();
  EXPECT_TRUE(queued.done[0].ok());
  // The runs' workers hold the runs, not the test: each sink's owner must see
  // on_done before it goes out of scope.
  computing.WaitForDone();
  EXPECT_TRUE(computing.done[0].ok());
}

}  // namespace
}  // namespace ganserve::testing
