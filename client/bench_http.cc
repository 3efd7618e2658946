// --api http: the image URL over HTTP/1.1. cpp-httplib's client blocks, so
// each worker thread owns one keep-alive connection and takes the next
// request from a queue; as many workers as requests may be in flight.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/bench_api.h"
#include "httplib.h"

namespace ganserve::client {
namespace {

// The gRPC code of each HTTP status the server's HTTP front answers with
// (server/status_map.cc maps the other way).
grpc::StatusCode CodeOfHttp(int status) {
  using C = grpc::StatusCode;
  static constexpr std::pair<int, C> kCodes[] = {
      {200, C::OK},
      {400, C::INVALID_ARGUMENT},
      {401, C::UNAUTHENTICATED},
      {403, C::PERMISSION_DENIED},
      {404, C::NOT_FOUND},
      {413, C::RESOURCE_EXHAUSTED},
      {429, C::RESOURCE_EXHAUSTED},
      {503, C::UNAVAILABLE},
      {504, C::DEADLINE_EXCEEDED},
  };
  for (const auto& [http, code] : kCodes) {
    if (http == status) return code;
  }
  return status >= 500 ? C::INTERNAL : C::UNKNOWN;
}

std::string PathOf(const BenchRequestSpec& spec) {
  const std::string label = spec.labels.empty() ? "" : absl::StrCat("label=", spec.labels[0]);
  if (spec.batch == 1) {
    return absl::StrCat("/v1/models/", spec.model, "/images/", spec.seed, ".png",
                        label.empty() ? "" : "?", label);
  }
  return absl::StrCat("/v1/models/", spec.model, "/grid.png?scale=1&seed=", spec.seed,
                      "&n=", spec.batch, label.empty() ? "" : "&", label);
}

class HttpStub final : public BenchStub {
 public:
  explicit HttpStub(const HttpBenchTarget& target) : target_(target) {
    for (int i = 0; i < std::max(1, target.workers); ++i) workers_.emplace_back([this] { Work(); });
  }
  ~HttpStub() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  void Send(grpc::ClientContext&, const BenchRequestSpec& spec,
            std::function<void(grpc::Status, int64_t)> done) override {
    {
      std::lock_guard lock(mu_);
      queue_.push_back({PathOf(spec), spec.batch, std::move(done)});
    }
    ready_.notify_one();
  }

 private:
  struct Job {
    std::string path;
    int64_t images;
    std::function<void(grpc::Status, int64_t)> done;
  };

  void Work() {
    httplib::Client client(target_.host, target_.port);
    client.set_keep_alive(true);
    client.set_connection_timeout(target_.timeout_s);
    client.set_read_timeout(target_.timeout_s);
    httplib::Headers headers;
    if (!target_.authorization.empty()) headers.emplace("Authorization", target_.authorization);
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      httplib::Result result = client.Get(job.path, headers);
      if (!result) {
        job.done(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                              absl::StrCat("no HTTP answer from ", target_.host, ":", target_.port,
                                           ": ", httplib::to_string(result.error()))),
                 0);
      } else if (result->status != 200) {
        job.done(grpc::Status(CodeOfHttp(result->status),
                              absl::StrCat("HTTP ", result->status, ": ", result->body)),
                 0);
      } else {
        job.done(grpc::Status::OK, job.images);
      }
    }
  }

  const HttpBenchTarget target_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace

std::unique_ptr<BenchStub> CreateHttpBenchStub(const HttpBenchTarget& target) {
  return std::make_unique<HttpStub>(target);
}

}  // namespace ganserve::client
