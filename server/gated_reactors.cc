#include "server/gated_reactors.h"

#include "absl/strings/str_cat.h"
#include "server/admission.h"

namespace ganserve {

void AddRetryPushback(grpc::CallbackServerContext& context, const absl::Status& status) {
  if (std::optional<int64_t> ms = RetryAfterMs(status)) {
    context.AddTrailingMetadata(kRetryPushbackTrailer, absl::StrCat(*ms));
  }
}

}  // namespace ganserve
