#include "tests/client/fake_generator_server.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "engine/latent_sampler.h"
#include "engine/png.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"

namespace ganserve::testing {

using ganserve::v1::GenerateRequest;
using ganserve::v1::GenerateResponse;

std::vector<uint8_t> FakePixels(const std::vector<float>& latent, int pixel_count) {
  return ToUint8(absl::MakeConstSpan(latent.data(), pixel_count), -3.0f, 3.0f);
}

class FakeGeneratorServer::Impl final : public ganserve::v1::Generator::CallbackService {
 public:
  explicit Impl(FakeOptions options)
      : options_(std::move(options)), timer_([this] { TimerLoop(); }) {}
  ~Impl() override { Stop(); }

  // Fails the held calls and every later one with UNAVAILABLE.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (timer_.joinable()) timer_.join();
  }

  grpc::ServerUnaryReactor* Generate(grpc::CallbackServerContext* context,
                                     const GenerateRequest* request,
                                     GenerateResponse* response) override {
    auto* reactor = context->DefaultReactor();
    const int64_t n = received_.fetch_add(1);
    Record(*context, *request);
    grpc::Status status = Check(*context, *request);
    if (status.ok() && options_.status) status = options_.status(n);
    if (!status.ok() && options_.pushback_ms && options_.pushback_ms(n) > 0) {
      context->AddTrailingMetadata("grpc-retry-pushback-ms",
                                   std::to_string(options_.pushback_ms(n)));
    }
    if (status.ok()) status = Fill(*request, *response);
    const absl::Duration delay =
        options_.latency ? options_.latency(n, *request) : absl::ZeroDuration();
    const int64_t flying = in_flight_.fetch_add(1) + 1;
    int64_t seen = max_in_flight_.load();
    while (flying > seen && !max_in_flight_.compare_exchange_weak(seen, flying)) {
    }
    std::lock_guard lock(mu_);
    if (stopping_) {
      in_flight_.fetch_sub(1);
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "killed"));
      return reactor;
    }
    due_.emplace(std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(delay),
                 Pending{reactor, status});
    cv_.notify_all();
    return reactor;
  }

  grpc::ServerWriteReactor<ganserve::v1::GeneratedImage>* GenerateStream(
      grpc::CallbackServerContext* context, const GenerateRequest* request) override {
    class Writer : public grpc::ServerWriteReactor<ganserve::v1::GeneratedImage> {
     public:
      Writer(GenerateResponse response, grpc::Status status) : response_(std::move(response)) {
        if (!status.ok()) {
          Finish(status);
        } else {
          Next();
        }
      }
      void OnWriteDone(bool ok) override { ok ? Next() : Finish(grpc::Status::CANCELLED); }
      void OnDone() override { delete this; }

     private:
      void Next() {
        if (next_ == response_.images_size()) return Finish(grpc::Status::OK);
        StartWrite(&response_.images(next_++));
      }
      GenerateResponse response_;
      int next_ = 0;
    };
    received_.fetch_add(1);
    stream_calls_.fetch_add(1);
    Record(*context, *request);
    GenerateResponse response;
    grpc::Status status = Check(*context, *request);
    if (status.ok()) status = Fill(*request, response);
    if (status.ok()) answered_ok_.fetch_add(1);
    return new Writer(std::move(response), status);
  }

  grpc::ServerUnaryReactor* ListModels(grpc::CallbackServerContext* context,
                                       const ganserve::v1::ListModelsRequest*,
                                       ganserve::v1::ListModelsResponse* response) override {
    *response->add_models() = Info();
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* GetModel(grpc::CallbackServerContext* context,
                                     const ganserve::v1::GetModelRequest* request,
                                     ganserve::v1::ModelInfo* response) override {
    auto* reactor = context->DefaultReactor();
    if (!request->name().empty() && request->name() != "fake") {
      reactor->Finish(
          grpc::Status(grpc::StatusCode::NOT_FOUND, "no model named '" + request->name() + "'"));
    } else {
      *response = Info();
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }

  int64_t received() const { return received_.load(); }
  int64_t stream_calls() const { return stream_calls_.load(); }
  std::vector<float> last_latents() const {
    std::lock_guard lock(record_mu_);
    return last_latents_;
  }
  std::map<std::string, int64_t> calls_by_peer() const {
    std::lock_guard lock(record_mu_);
    return calls_by_peer_;
  }
  int64_t answered_ok() const { return answered_ok_.load(); }
  int64_t max_in_flight() const { return max_in_flight_.load(); }

 private:
  struct Pending {
    grpc::ServerUnaryReactor* reactor;
    grpc::Status status;
  };

  ganserve::v1::ModelInfo Info() const {
    ganserve::v1::ModelInfo info;
    info.set_name("fake");
    info.set_version("1");
    info.set_source_format("fake");
    info.set_latent_size(options_.latent_size);
    info.set_label_count(options_.label_names.size());
    for (const auto& name : options_.label_names) info.add_label_names(name);
    info.set_output_height(options_.height);
    info.set_output_width(options_.width);
    info.set_output_channels(options_.channels);
    info.set_value_min(-3);
    info.set_value_max(3);
    info.set_summary("Layer (type)  Output Shape  Param #\nfake          (4, 4, 1)     0\n");
    info.set_is_default(true);
    return info;
  }

  void Record(const grpc::CallbackServerContext& context, const GenerateRequest& request) {
    std::lock_guard lock(record_mu_);
    ++calls_by_peer_[context.peer()];
    if (request.has_latents()) {
      last_latents_.assign(request.latents().values().begin(), request.latents().values().end());
    }
  }

  grpc::Status Check(const grpc::CallbackServerContext& context,
                     const GenerateRequest& request) const {
    if (!options_.required_token.empty()) {
      auto it = context.client_metadata().find("authorization");
      if (it == context.client_metadata().end() ||
          std::string(it->second.data(), it->second.size()) !=
              "Bearer " + options_.required_token) {
        return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing or wrong bearer token");
      }
    }
    if (!request.model().empty() && request.model() != "fake") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no model named '" + request.model() + "'");
    }
    return grpc::Status::OK;
  }

  grpc::Status Fill(const GenerateRequest& request, GenerateResponse& response) const {
    const int z = options_.latent_size;
    std::vector<float> latents;
    if (request.has_latents()) {
      latents.assign(request.latents().values().begin(), request.latents().values().end());
      if (latents.empty() || latents.size() % z != 0) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "latents are not a multiple of 16");
      }
    } else {
      latents = SampleLatents({request.sampling().seed()}, request.sampling().count(), z);
    }
    const int count = latents.size() / z;
    const int pixels = options_.height * options_.width * options_.channels;
    response.set_model("fake");
    for (int i = 0; i < count; ++i) {
      std::vector<float> latent(latents.begin() + i * z, latents.begin() + (i + 1) * z);
      Image8 image{options_.height, options_.width, options_.channels, FakePixels(latent, pixels)};
      auto* out = response.add_images();
      out->set_index(i);
      out->set_height(options_.height);
      out->set_width(options_.width);
      out->set_channels(options_.channels);
      const int label = request.labels_size() == 0 ? -1 : request.labels(i % request.labels_size());
      out->set_label(options_.label_names.empty() ? -1 : label);
      if (request.format() == ganserve::v1::IMAGE_FORMAT_RAW_UINT8) {
        out->set_format(ganserve::v1::IMAGE_FORMAT_RAW_UINT8);
        out->set_data(std::string(image.pixels.begin(), image.pixels.end()));
      } else {
        out->set_format(ganserve::v1::IMAGE_FORMAT_PNG);
        out->set_data(EncodePng(image).value());
      }
      if (request.return_latents()) out->mutable_latent()->Add(latent.begin(), latent.end());
    }
    return grpc::Status::OK;
  }

  void TimerLoop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      if (due_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = due_.begin();
      if (first->first > std::chrono::steady_clock::now()) {
        cv_.wait_until(lock, first->first);
        continue;
      }
      Pending pending = first->second;
      due_.erase(first);
      if (pending.status.ok()) answered_ok_.fetch_add(1);
      in_flight_.fetch_sub(1);
      pending.reactor->Finish(pending.status);
    }
    for (auto& [when, pending] : due_) {
      in_flight_.fetch_sub(1);
      pending.reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "killed"));
    }
    due_.clear();
  }

  FakeOptions options_;
  std::atomic<int64_t> received_{0}, stream_calls_{0}, answered_ok_{0}, in_flight_{0},
      max_in_flight_{0};
  mutable std::mutex record_mu_;
  std::vector<float> last_latents_;
  std::map<std::string, int64_t> calls_by_peer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, Pending> due_;
  bool stopping_ = false;
  std::thread timer_;
};

std::unique_ptr<FakeGeneratorServer> FakeGeneratorServer::Start(FakeOptions options) {
  auto fake = std::unique_ptr<FakeGeneratorServer>(new FakeGeneratorServer());
  const std::string address = "127.0.0.1:" + std::to_string(options.port);
  fake->impl_ = std::make_unique<Impl>(std::move(options));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &fake->port_);
  builder.RegisterService(fake->impl_.get());
  fake->server_ = builder.BuildAndStart();
  if (!fake->server_ || fake->port_ == 0) return nullptr;
  return fake;
}

FakeGeneratorServer::~FakeGeneratorServer() { Kill(); }

void FakeGeneratorServer::Kill() {
  if (!server_) return;
  // Fail the held calls first: Shutdown waits for every reactor to finish.
  impl_->Stop();
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
  server_.reset();
}

int64_t FakeGeneratorServer::received() const { return impl_->received(); }
int64_t FakeGeneratorServer::stream_calls() const { return impl_->stream_calls(); }
std::vector<float> FakeGeneratorServer::last_latents() const { return impl_->last_latents(); }
std::map<std::string, int64_t> FakeGeneratorServer::calls_by_peer() const {
  return impl_->calls_by_peer();
}
int64_t FakeGeneratorServer::answered_ok() const { return impl_->answered_ok(); }
int64_t FakeGeneratorServer::max_in_flight() const { return impl_->max_in_flight(); }

}  // namespace ganserve::testing
