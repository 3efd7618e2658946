// What the fleet tests share: ganserve replicas of a small Keras model on
// loopback, each one's own count of images made, and bench's error count.
#ifndef GANSERVE_TESTS_CLIENT_FLEET_REPLICAS_H_
#define GANSERVE_TESTS_CLIENT_FLEET_REPLICAS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/client/live_ganserve.h"

namespace ganserve::testing {

// The model the replicas serve as "live" (4x4x1, 3 classes: cheap to run).
std::string FleetModel();

// A replica with one worker thread and `flags` on top; null (and a test
// failure carrying its log) if it does not start. `port` 0: any free port.
std::unique_ptr<LiveGanserve> StartReplica(const std::vector<std::string>& flags, int port = 0);

// The replica's images_generated for "live" (GetModel); -1 if it does not answer.
int64_t ImagesGenerated(const std::string& target);

// "errors" of a `ganctl bench --format json` report; -1 if there is none.
int64_t BenchErrors(const std::string& report);

}  // namespace ganserve::testing

#endif  // GANSERVE_TESTS_CLIENT_FLEET_REPLICAS_H_
