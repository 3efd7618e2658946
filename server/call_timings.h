// Where one call's time went, summed over its chunks and images: waiting in
// the batcher queue, in the engine batches it was part of, and encoding its
// images. For the access log and the server-timing trailer.
#ifndef GANSERVE_SERVER_CALL_TIMINGS_H_
#define GANSERVE_SERVER_CALL_TIMINGS_H_

namespace ganserve {

struct CallTimings {
  double queue_seconds = 0;
  double compute_seconds = 0;
  double encode_seconds = 0;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_CALL_TIMINGS_H_
