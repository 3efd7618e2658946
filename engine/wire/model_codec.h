// The format a loader child hands a parsed model back in: "GSLM", a format
// version, the payload length, then the LoadedModel's fields and its graph
// node by node. Decoding checks every length against the bytes that remain
// and every count against a bound, rebuilds each op through its constructor
// and the graph through Graph::Create, which runs every op's InferShape.
#ifndef GANSERVE_ENGINE_WIRE_MODEL_CODEC_H_
#define GANSERVE_ENGINE_WIRE_MODEL_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/loaders/loaded_model.h"

namespace ganserve {

inline constexpr absl::string_view kModelWireMagic = "GSLM";
inline constexpr uint32_t kModelWireVersion = 2;
inline constexpr uint32_t kMaxWireNodes = 1 << 16;
inline constexpr uint32_t kMaxWireNodeInputs = 256;

// Unimplemented when the graph holds an op with no wire encoding.
absl::StatusOr<std::string> EncodeLoadedModel(const LoadedModel& model);

absl::StatusOr<LoadedModel> DecodeLoadedModel(absl::string_view bytes);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_WIRE_MODEL_CODEC_H_
