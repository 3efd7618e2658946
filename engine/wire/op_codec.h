// Each op's attributes and weights on the wire, in one table keyed by the
// op's Type(): a new op is one row (an encoder and a decoder) in
// op_codec.cc. Decoding only rebuilds the op through its constructor;
// Graph::Create then checks the decoded ops against each other's shapes.
#ifndef GANSERVE_ENGINE_WIRE_OP_CODEC_H_
#define GANSERVE_ENGINE_WIRE_OP_CODEC_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/op.h"
#include "engine/wire/wire_reader.h"
#include "engine/wire/wire_writer.h"

namespace ganserve {

// Writes the op's Type() and its payload; Unimplemented for an op with no row.
absl::Status EncodeOp(const Op& op, WireWriter& out);

absl::StatusOr<std::shared_ptr<const Op>> DecodeOp(WireReader& in);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_WIRE_OP_CODEC_H_
