// A warm oneDNN Run allocates nothing of its own: every buffer and argument
// list of the plan is made when the plan for a batch size is built. oneDNN
// 2.6 itself builds an argument map inside each dnnl_primitive_execute; those
// allocations are told apart by a libdnnl frame on the stack and only have to
// stay the same from call to call. Its own binary, because it replaces the
// global operator new.
#include <dlfcn.h>
#include <execinfo.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include "gtest/gtest.h"
#include "tests/engine/onednn/onednn_test_util.h"
#include "tests/testing/generator_zoo.h"

namespace {

std::atomic<bool> counting{false};
std::atomic<int64_t> ours{0}, onednns{0};
thread_local bool in_hook = false;

bool CalledFromOneDnn() {
  void* frames[32];
  const int n = backtrace(frames, 32);
  for (int i = 1; i < n; ++i) {
    Dl_info info;
    if (dladdr(frames[i], &info) != 0 && info.dli_fname != nullptr &&
        std::strstr(info.dli_fname, "libdnnl") != nullptr) {
      return true;
    }
  }
  return false;
}

}  // namespace

// GCC cannot see that these replace the global pair, and warns at inlined callers.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed) && !in_hook) {
    in_hook = true;
    (CalledFromOneDnn() ? onednns : ours).fetch_add(1);
    in_hook = false;
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace ganserve {
namespace {

struct Counts {
  int64_t ours = 0, onednn = 0;
};

template <typename F>
Counts CountDuring(F&& f) {
  ours = 0;
  onednns = 0;
  counting = true;
  f();
  counting = false;
  return {ours.load(), onednns.load()};
}

class WarmRunTest : public ::testing::TestWithParam<ZooModel> {};

TEST_P(WarmRunTest, AllocatesNothingOfItsOwnOnceThePlanForTheBatchExists) {
  void* warm_up[1];
  backtrace(warm_up, 1);  // its first call loads the unwinder, which allocates
  auto graph = GetParam().make(3);
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto shared = std::make_shared<const Graph>(*std::move(graph));
  auto exec = OneDnnExecutor::Create(shared, {.num_threads = 2});
  ASSERT_TRUE(exec.ok()) << exec.status();
  auto ctx = (*exec)->NewContext();
  const std::vector<Tensor> inputs = RandomInputs(*shared, 4, 11);
  Tensor out;
  bool ok = true;
  const Counts build = CountDuring([&] { ok = (*exec)->Run(*ctx, inputs, out).ok(); });
  ASSERT_TRUE(ok);
  // The counter sees our allocations at all: building the plan makes many.
  EXPECT_GT(build.ours, 0);

  const Counts first = CountDuring([&] { ok = (*exec)->Run(*ctx, inputs, out).ok(); });
  ASSERT_TRUE(ok);
  const Counts second = CountDuring([&] { ok = (*exec)->Run(*ctx, inputs, out).ok(); });
  ASSERT_TRUE(ok);
  EXPECT_EQ(first.ours, 0) << "allocations outside oneDNN in a warm run of " << GetParam().name;
  EXPECT_EQ(second.ours, 0) << "allocations outside oneDNN in a warm run of " << GetParam().name;
  EXPECT_EQ(second.onednn, first.onednn) << "oneDNN's own allocations grow from call to call";
  std::printf("%s: %lld allocations inside oneDNN per warm run, 0 of ours\n",
              GetParam().name.c_str(), static_cast<long long>(first.onednn));
}

INSTANTIATE_TEST_SUITE_P(Generators, WarmRunTest, ::testing::ValuesIn(GeneratorZoo()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace ganserve
