#include "engine/host_port.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ganserve {
namespace {

absl::Status Bad(absl::string_view address, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("bad address \"", address, "\": ", why, " (expected host:port or [ipv6]:port)"));
}

bool IsPort(absl::string_view text) {
  uint32_t port = 0;
  return !text.empty() && text.size() <= 5 &&
         std::all_of(text.begin(), text.end(), absl::ascii_isdigit) &&
         absl::SimpleAtoi(text, &port) && port <= 65535;
}

}  // namespace

absl::StatusOr<HostPort> SplitHostPort(absl::string_view address) {
  if (address.empty()) return Bad(address, "it is empty");
  HostPort split;
  absl::string_view port_text;
  bool has_port = false;
  if (address.front() == '[') {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos) return Bad(address, "no ']' closes the '['");
    split.host = std::string(address.substr(1, close - 1));
    const absl::string_view rest = address.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Bad(address, "only \":port\" may follow ']'");
      port_text = rest.substr(1);
      has_port = true;
    }
  } else if (const size_t colon = address.rfind(':'); colon == absl::string_view::npos) {
    split.host = std::string(address);
  } else if (address.find(':') != colon) {
    split.host = std::string(address);  // a bare IPv6 address has no port
  } else {
    split.host = std::string(address.substr(0, colon));
    port_text = address.substr(colon + 1);
    has_port = true;
  }
  if (has_port && !IsPort(port_text)) {
    return Bad(address, absl::StrCat("port \"", port_text, "\" is not a number from 0 to 65535"));
  }
  split.port = std::string(port_text);
  return split;
}

}  // namespace ganserve
