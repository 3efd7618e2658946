// The number format a model's layers compute in: f32, or bf16 weights and
// activations with f32 accumulation (oneDNN, on CPUs with avx512_bf16 or
// AMX), or auto (bf16 where the CPU runs it natively and it measured faster).
#ifndef GANSERVE_ENGINE_PRECISION_H_
#define GANSERVE_ENGINE_PRECISION_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ganserve {

enum class Precision { kF32, kBf16, kAuto };

// "f32" | "bf16" | "auto"; InvalidArgument names what was given.
absl::StatusOr<Precision> ParsePrecision(absl::string_view name);
std::string PrecisionName(Precision precision);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_PRECISION_H_
