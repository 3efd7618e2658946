// Context for a status on its way up: the same code and payloads (a retry
// hint, say), the message prefixed with where it happened.
#ifndef GANSERVE_ENGINE_STATUS_CONTEXT_H_
#define GANSERVE_ENGINE_STATUS_CONTEXT_H_

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ganserve {

// "prefix: message"; OK stays OK.
inline absl::Status WithPrefix(absl::string_view prefix, const absl::Status& status) {
  if (status.ok()) return status;
  absl::Status prefixed(status.code(), absl::StrCat(prefix, ": ", status.message()));
  status.ForEachPayload(
      [&](absl::string_view url, const absl::Cord& payload) { prefixed.SetPayload(url, payload); });
  return prefixed;
}

// "path: message", unless the message names `path` already: whichever layer
// adds the file name first, it appears once.
inline absl::Status WithFile(absl::string_view path, const absl::Status& status) {
  if (absl::StrContains(status.message(), path)) return status;
  return WithPrefix(path, status);
}

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_STATUS_CONTEXT_H_
