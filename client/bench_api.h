// The API a `ganctl bench` run measures, behind one interface so the load
// generator is the same for each: native ganserve.v1 Generate, the Open
// Inference Protocol's ModelInfer asking for the png output, or the HTTP
// port's image URL (GET /v1/models/{m}/images/{seed}.png).
#ifndef GANSERVE_CLIENT_BENCH_API_H_
#define GANSERVE_CLIENT_BENCH_API_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace ganserve::client {

enum class BenchApi { kNative, kV2, kHttp };

// "native", "v2" or "http", as --api spells them.
absl::StatusOr<BenchApi> ParseBenchApi(absl::string_view name);
std::string BenchApiName(BenchApi api);

// What request n asks for.
struct BenchRequestSpec {
  std::string model;
  uint64_t seed = 0;
  int batch = 1;
  std::vector<int32_t> labels;  // one per image, or empty
};

// One channel's stub for the API under test.
class BenchStub {
 public:
  static std::unique_ptr<BenchStub> Create(BenchApi api, std::shared_ptr<grpc::Channel> channel);
  virtual ~BenchStub() = default;

  // Sends the request; `done` gets its status and the images the answer
  // holds. `context` must outlive the call.
  virtual void Send(grpc::ClientContext& context, const BenchRequestSpec& spec,
                    std::function<void(grpc::Status, int64_t images)> done) = 0;
};

// Where --api http sends its GETs, over plain HTTP/1.1 with keep-alive.
struct HttpBenchTarget {
  std::string host;
  int port = 8080;
  std::string authorization;  // the header's value; empty: none
  int workers = 1;            // blocking connections, one request in flight on each
  int timeout_s = 30;         // per request
};

// A batch of 1 GETs images/{seed}.png, a larger one grid.png?seed=&n= at
// scale 1 (one PNG of the batch's images). HTTP statuses become the gRPC
// codes they stand for (400 INVALID_ARGUMENT, 429 RESOURCE_EXHAUSTED, ...).
std::unique_ptr<BenchStub> CreateHttpBenchStub(const HttpBenchTarget& target);

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_BENCH_API_H_
