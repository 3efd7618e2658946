// Answers that never change for a model version, kept by key: least
// recently used entries go first once the bytes held exceed the budget.
#ifndef GANSERVE_SERVER_RESPONSE_CACHE_H_
#define GANSERVE_SERVER_RESPONSE_CACHE_H_

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace ganserve {

class ResponseCache {
 public:
  explicit ResponseCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // The bytes under `key`, or null; a hit becomes the most recently used.
  std::shared_ptr<const std::string> Get(const std::string& key);
  // Keeps `value` under `key` unless it alone exceeds the budget.
  void Put(const std::string& key, std::string value);

  size_t bytes() const;

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const std::string>>;
  static size_t Cost(const Entry& entry) { return entry.first.size() + entry.second->size(); }

  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  size_t bytes_ = 0;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_RESPONSE_CACHE_H_
