// The server's Prometheus metrics: counters, gauges and histograms labelled
// by model, rendered in the Prometheus text exposition format.
#ifndef GANSERVE_SERVER_METRICS_H_
#define GANSERVE_SERVER_METRICS_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace ganserve {

class Metrics {
 public:
  void CountRequest(const std::string& model, const std::string& code);
  void AddImages(const std::string& model, int64_t images);
  void ObserveRequestSeconds(const std::string& model, double seconds);
  void ObserveQueueSeconds(const std::string& model, double seconds);
  void ObserveComputeSeconds(const std::string& model, double seconds);
  void ObserveBatchSize(const std::string& model, int64_t images);
  void SetQueuedImages(const std::string& model, int64_t images);
  // Calls between the CallGate and their answer, all protocols and models.
  void AddInFlightCalls(int64_t delta);
  void CountLoadFailure(const std::string& model, const std::string& reason);
  // One image looked up in the response cache.
  void CountCacheLookup(const std::string& model, bool hit);

  // The whole exposition, e.g. for GET /metrics.
  std::string Render() const;

 private:
  struct Histogram {
    std::vector<double> bounds;
    std::vector<uint64_t> counts;  // per bucket, not cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  // Keyed by metric name, then by the rendered label set.
  using Series = std::map<std::string, std::map<std::string, double>>;

  void Observe(const std::string& metric, const std::string& labels,
               const std::vector<double>& bounds, double value);

  mutable std::mutex mu_;
  Series counters_;
  Series gauges_;
  std::map<std::string, std::map<std::string, Histogram>> histograms_;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_METRICS_H_
