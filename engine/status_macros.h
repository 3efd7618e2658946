// Project versions of ABSL_RETURN_IF_ERROR / ABSL_ASSIGN_OR_RETURN, which
// Debian's Abseil 20220623 does not ship. Same meaning, so a later switch is a rename.
#ifndef GANSERVE_ENGINE_STATUS_MACROS_H_
#define GANSERVE_ENGINE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define GS_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::absl::Status gs_status_ = (expr);          \
    if (!gs_status_.ok()) return gs_status_;     \
  } while (0)

#define GS_CONCAT_INNER_(a, b) a##b
#define GS_CONCAT_(a, b) GS_CONCAT_INNER_(a, b)

#define GS_ASSIGN_OR_RETURN(lhs, expr) \
  GS_ASSIGN_OR_RETURN_IMPL_(GS_CONCAT_(gs_statusor_, __LINE__), lhs, expr)

#define GS_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                              \
  if (!statusor.ok()) return statusor.status();        \
  lhs = std::move(statusor).value()

#endif  // GANSERVE_ENGINE_STATUS_MACROS_H_
