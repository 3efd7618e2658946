// Splits the "host:port" addresses flags and targets are written in, the one
// place that knows IPv6's brackets, for the server's listeners and ganctl.
#ifndef GANSERVE_ENGINE_HOST_PORT_H_
#define GANSERVE_ENGINE_HOST_PORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ganserve {

struct HostPort {
  std::string host;  // without brackets; empty in ":port"
  std::string port;  // digits, 0–65535; empty when the address has none
};

// "host:port", ":port", "[v6]:port", "[v6]", "host" and a bare IPv6 address
// ("::1", more than one colon without brackets: no port). INVALID_ARGUMENT
// naming the address for an unclosed bracket, text after "]" that is not
// ":port", or a port that is not a number up to 65535.
absl::StatusOr<HostPort> SplitHostPort(absl::string_view address);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_HOST_PORT_H_
