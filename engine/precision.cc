#include "engine/precision.h"

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Precision> ParsePrecision(absl::string_view name) {
  if (name == "f32") return Precision::kF32;
  if (name == "bf16") return Precision::kBf16;
  if (name == "auto") return Precision::kAuto;
  return absl::InvalidArgumentError(
      absl::StrCat("precision must be f32, bf16 or auto, got '", name, "'"));
}

std::string PrecisionName(Precision precision) {
  switch (precision) {
    case Precision::kF32:
      return "f32";
    case Precision::kBf16:
      return "bf16";
    case Precision::kAuto:
      return "auto";
  }
  return "unknown";
}

}  // namespace ganserve
