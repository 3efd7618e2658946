// A large f32 matmul through oneDNN: this CPU's practical f32 peak, the
// yardstick that engine throughput is quoted against (engine_bench, ganctl
// bench FILE). The header keeps oneDNN out of its users.
#ifndef GANSERVE_ENGINE_ONEDNN_MATMUL_PROBE_H_
#define GANSERVE_ENGINE_ONEDNN_MATMUL_PROBE_H_

#include <cstdint>
#include <memory>

namespace ganserve {

class MatmulProbe {
 public:
  // C[n,n] = A[n,n] B[n,n]; compiled and run once here.
  explicit MatmulProbe(int64_t n = 2048);
  ~MatmulProbe();

  void Run();  // one product, waited for
  double flops() const { return 2.0 * n_ * n_ * n_; }

 private:
  struct Primitive;
  int64_t n_;
  std::unique_ptr<Primitive> primitive_;
};

// GFLOP/s of MatmulProbe runs on `threads` OpenMP threads (0: the runtime's
// default) for at least `seconds`.
double MeasureMatmulGflops(int threads, double seconds);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_MATMUL_PROBE_H_
