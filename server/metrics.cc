#include "server/metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ganserve {
namespace {

const std::vector<double> kSecondsBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,  5,     10};
const std::vector<double> kBatchBuckets = {1, 2, 4, 8, 16, 32, 64, 128, 256};

std::string Escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? 'n' : c;
  }
  return out;
}

std::string ModelLabel(const std::string& model) {
  return absl::StrCat("model=\"", Escape(model), "\"");
}

const std::map<std::string, std::string>& Help() {
  static const auto* help = new std::map<std::string, std::string>{
      {"ganserve_requests_total", "RPCs answered, by model and gRPC status code"},
      {"ganserve_images_generated_total", "Images generated"},
      {"ganserve_model_load_failures_total",
       "Model files that failed to load, by model and reason"},
      {"ganserve_queue_depth", "Images waiting in the batcher queue"},
      {"ganserve_in_flight_calls", "Calls received and not yet answered"},
      {"ganserve_request_duration_seconds", "Time from receiving an RPC to answering it"},
      {"ganserve_queue_duration_seconds", "Time a request waited in the batcher queue"},
      {"ganserve_compute_duration_seconds", "Time one engine batch took"},
      {"ganserve_batch_size_images", "Images per engine batch"},
      {"ganserve_cache_hits_total", "Seeded images answered from the response cache"},
      {"ganserve_cache_misses_total",
       "Seeded images looked up in the response cache and generated"},
  };
  return *help;
}

}  // namespace

void Metrics::CountRequest(const std::string& model, const std::string& code) {
  std::lock_guard<std::mutex> lock(mu_);
  counters_["ganserve_requests_total"][absl::StrCat(ModelLabel(model), ",code=\"", code, "\"")] +=
      1;
}

void Metrics::AddImages(const std::string& model, int64_t images) {
  std::lock_guard<std::mutex> lock(mu_);
  counters_["ganserve_images_generated_total"][ModelLabel(model)] += images;
}

void Metrics::CountLoadFailure(const std::string& model, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  counters_["ganserve_model_load_failures_total"]
           [absl::StrCat(ModelLabel(model), ",reason=\"", Escape(reason), "\"")] += 1;
}

void Metrics::CountCacheLookup(const std::string& model, bool hit) {
  std::lock_guard<std::mutex> lock(mu_);
  counters_[hit ? "ganserve_cache_hits_total" : "ganserve_cache_misses_total"][ModelLabel(model)] +=
      1;
}

void Metrics::SetQueuedImages(const std::string& model, int64_t images) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_["ganserve_queue_depth"][ModelLabel(model)] = static_cast<double>(images);
}

void Metrics::AddInFlightCalls(int64_t delta) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_["ganserve_in_flight_calls"][""] += static_cast<double>(delta);
}

void Metrics::ObserveRequestSeconds(const std::string& model, double seconds) {
  Observe("ganserve_request_duration_seconds", ModelLabel(model), kSecondsBuckets, seconds);
}
void Metrics::ObserveQueueSeconds(const std::string& model, double seconds) {
  Observe("ganserve_queue_duration_seconds", ModelLabel(model), kSecondsBuckets, seconds);
}
void Metrics::ObserveComputeSeconds(const std::string& model, double seconds) {
  Observe("ganserve_compute_duration_seconds", ModelLabel(model), kSecondsBuckets, seconds);
}
void Metrics::ObserveBatchSize(const std::string& model, int64_t images) {
  Observe("ganserve_batch_size_images", ModelLabel(model), kBatchBuckets,
          static_cast<double>(images));
}

void Metrics::Observe(const std::string& metric, const std::string& labels,
                      const std::vector<double>& bounds, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  Histogram& h = histograms_[metric][labels];
  if (h.bounds.empty()) {
    h.bounds = bounds;
    h.counts.assign(bounds.size(), 0);
  }
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    if (value <= h.bounds[i]) {
      ++h.counts[i];
      break;
    }
  }
  ++h.count;
  h.sum += value;
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  auto header = [&](const std::string& name, const char* type) {
    auto it = Help().find(name);
    absl::StrAppend(&out, "# HELP ", name, " ", it == Help().end() ? name : it->second, "\n# TYPE ",
                    name, " ", type, "\n");
  };
  auto series = [&](const Series& all, const char* type) {
    for (const auto& [name, by_labels] : all) {
      header(name, type);
      for (const auto& [labels, value] : by_labels) {
        absl::StrAppend(&out, name, labels.empty() ? "" : absl::StrCat("{", labels, "}"), " ",
                        absl::StrFormat("%.17g", value), "\n");
      }
    }
  };
  series(counters_, "counter");
  series(gauges_, "gauge");
  for (const auto& [name, by_labels] : histograms_) {
    header(name, "histogram");
    for (const auto& [labels, h] : by_labels) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < h.bounds.size(); ++i) {
        cumulative += h.counts[i];
        absl::StrAppend(&out, name, "_bucket{", labels, ",le=\"",
                        absl::StrFormat("%g", h.bounds[i]), "\"} ", cumulative, "\n");
      }
      absl::StrAppend(&out, name, "_bucket{", labels, ",le=\"+Inf\"} ", h.count, "\n");
      absl::StrAppend(&out, name, "_sum{", labels, "} ", absl::StrFormat("%.9g", h.sum), "\n");
      absl::StrAppend(&out, name, "_count{", labels, "} ", h.count, "\n");
    }
  }
  return out;
}

}  // namespace ganserve
