#include "server/response_cache.h"

namespace ganserve {

std::shared_ptr<const std::string> ResponseCache::Get(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void ResponseCache::Put(const std::string& key, std::string value) {
  Entry entry{key, std::make_shared<const std::string>(std::move(value))};
  const size_t cost = Cost(entry);
  std::lock_guard<std::mutex> lock(mu_);
  if (cost > max_bytes_) return;
  if (auto it = index_.find(key); it != index_.end()) {
    bytes_ -= Cost(*it->second);
    order_.erase(it->second);
    index_.erase(it);
  }
  order_.push_front(std::move(entry));
  index_[key] = order_.begin();
  bytes_ += cost;
  while (bytes_ > max_bytes_) {
    bytes_ -= Cost(order_.back());
    index_.erase(order_.back().first);
    order_.pop_back();
  }
}

size_t ResponseCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace ganserve
