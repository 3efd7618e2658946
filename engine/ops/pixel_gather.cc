#include "engine/ops/pixel_gather.h"

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::Status CheckBorderedInput(absl::string_view type, absl::Span<const Dims> inputs,
                                const Borders& borders) {
  if (inputs.size() != 1 || inputs[0].size() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(type, " takes one (H, W, C) input"));
  }
  if (borders.top < 0 || borders.bottom < 0 || borders.left < 0 || borders.right < 0) {
    return absl::InvalidArgumentError(absl::StrCat(type, ": borders must not be negative"));
  }
  return absl::OkStatus();
}

}  // namespace ganserve
