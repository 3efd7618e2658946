#include "engine/onednn/matmul_probe.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "dnnl.hpp"

namespace ganserve {

struct MatmulProbe::Primitive {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  dnnl::matmul matmul;
  std::unordered_map<int, dnnl::memory> args;
};

MatmulProbe::MatmulProbe(int64_t n) : n_(n), primitive_(std::make_unique<Primitive>()) {
  Primitive& p = *primitive_;
  const dnnl::memory::desc md({n, n}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::ab);
  p.matmul = dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(md, md, md), p.engine));
  dnnl::memory a(md, p.engine), b(md, p.engine), c(md, p.engine);
  std::fill_n(static_cast<float*>(a.get_data_handle()), n * n, 0.5f);
  std::fill_n(static_cast<float*>(b.get_data_handle()), n * n, 0.25f);
  p.args = {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}};
  Run();
}

MatmulProbe::~MatmulProbe() = default;

void MatmulProbe::Run() {
  primitive_->matmul.execute(primitive_->stream, primitive_->args);
  primitive_->stream.wait();
}

double MeasureMatmulGflops(int threads, double seconds) {
  if (threads > 0) omp_set_num_threads(threads);
  MatmulProbe probe;
  int64_t runs = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds || runs == 0) {
    probe.Run();
    ++runs;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return probe.flops() * runs / elapsed / 1e9;
}

}  // namespace ganserve
