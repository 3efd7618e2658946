// The part of the kernel's 1-minute load average this process put there, so
// that shedding threads reacts to other processes' load and not to the
// server's own work (a busy server would otherwise shed exactly when it is
// most needed).
#ifndef GANSERVE_ENGINE_ONEDNN_OWN_LOAD_H_
#define GANSERVE_ENGINE_ONEDNN_OWN_LOAD_H_

namespace ganserve {

// The process's CPU use in cores, averaged like the kernel's 1-minute load
// average (an exponential decay with a 60 s time constant). It undercounts
// the process's threads that were runnable but not running, so the foreign
// load derived from it errs towards shedding, as before.
class OwnLoadAverage {
 public:
  // `cpu_seconds`: the process's CPU time so far; `wall_seconds`: a
  // monotonic clock. Returns the average after this sample.
  double Update(double cpu_seconds, double wall_seconds);
  double cores() const { return cores_; }

 private:
  static constexpr double kTimeConstantS = 60;
  bool started_ = false;
  double cpu_ = 0, wall_ = 0, cores_ = 0;
};

// The 1-minute load average minus this process's share of it; 0 when the
// load average cannot be read. Read afresh at most every 0.1 s; thread-safe,
// shared by every executor.
double ForeignLoadAverage();

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_OWN_LOAD_H_
