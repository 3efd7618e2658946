// One Generate call's work in flight, without a thread of its own: it feeds
// the model's batcher chunk by chunk, has each finished chunk's images encoded
// by the thread that ran it and the WorkPool threads idle at that moment, and
// hands the images to its sink in request order. Flow control:
// at most `window` images are submitted but not yet consumed by the sink,
// so a slow stream reader holds a bounded number of images, whatever it asked for.
#ifndef GANSERVE_SERVER_GENERATION_RUN_H_
#define GANSERVE_SERVER_GENERATION_RUN_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/generation.h"
#include "server/call_timings.h"
#include "server/clock.h"
#include "server/servable.h"
#include "server/work_pool.h"

namespace ganserve {

// What one image of the answer carries.
struct EncodedImage {
  int64_t index = 0;
  std::string data;
  int32_t label = -1;
  std::vector<float> latent;  // when return_latents
};

struct GenerationSink {
  // Called once per image in index order, never two at a time.
  std::function<void(EncodedImage)> on_image;
  // Called exactly once, after the last on_image: OK when every image was
  // delivered, else why not (a refusal carries admission.h's retry hint).
  // Nothing of the sink is called after it.
  std::function<void(absl::Status)> on_done;
};

struct GenerationRunOptions {
  ImageEncoding encoding = ImageEncoding::kPng;
  bool return_latents = false;
  TimePoint deadline = TimePoint::max();
  // Images submitted but not consumed; 0: (workers + 1) × max_batch.
  int64_t window = 0;
  // Whether delivering an image consumes it (unary), or the sink calls
  // Consumed when it is done with it (streams).
  bool consume_on_delivery = true;
};

class GenerationRun : public std::enable_shared_from_this<GenerationRun> {
 public:
  ~GenerationRun();
  // Starts the work; the sink's on_done may be called before this returns
  // (a refusal, or a run that finished at once). `pool` must outlive the run.
  static std::shared_ptr<GenerationRun> Start(std::shared_ptr<const Servable> servable,
                                              PreparedGeneration work, GenerationRunOptions options,
                                              WorkPool& pool, GenerationSink sink);

  // The sink is done with `images` more images (consume_on_delivery false).
  void Consumed(int64_t images);
  // The call went away: queued chunks are skipped, on_done(CANCELLED) now.
  void Cancel();
  // Where the run's time went so far (complete once on_done has been called).
  CallTimings timings();

 private:
  GenerationRun(std::shared_ptr<const Servable> servable, PreparedGeneration work,
                GenerationRunOptions options, WorkPool& pool, GenerationSink sink);
  void SubmitMore();
  void OnChunk(int64_t first, absl::StatusOr<BatchSlice> result);
  void OnEncoded(int64_t index, absl::StatusOr<std::string> data);
  void DeliverReady();
  void Finish(absl::Status status);
  void CallDone();
  // Drops the run's model reference and `sink`, on a pool thread when called
  // on a batcher worker.
  void ReleaseModel(GenerationSink sink);

  // Never released on a batcher worker, nor is the sink (both go to a pool
  // thread from there): the last reference runs ~Batcher, which joins the workers.
  std::shared_ptr<const Servable> servable_;
  const std::shared_ptr<const LoadedGenerator> generator_;
  const PreparedGeneration work_;
  GenerationRunOptions options_;  // window resolved in the constructor
  WorkPool& pool_;
  const std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);

  std::mutex mu_;
  GenerationSink sink_;
  int64_t next_submit_ = 0;                 // first image not yet handed to the batcher
  int64_t next_deliver_ = 0;                // first image not yet given to the sink
  int64_t consumed_ = 0;                    // images the sink is done with
  std::map<int64_t, std::string> encoded_;  // ready, waiting for earlier images
  bool delivering_ = false;                 // a thread is in the sink
  bool finished_ = false;
  absl::Status status_;  // for on_done, once finished_
  CallTimings timings_;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_GENERATION_RUN_H_
