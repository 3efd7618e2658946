#include "client/service_config.h"

#include "client/service_config_json.h"
#include "nlohmann/json.hpp"

namespace ganserve::client {

std::string ServiceConfigJson(bool balance) {
  if (balance) return kServiceConfigJson;
  nlohmann::json config = nlohmann::json::parse(kServiceConfigJson);
  config.erase("loadBalancingConfig");
  config.erase("healthCheckConfig");
  return config.dump();
}

}  // namespace ganserve::client
