// Between ganserve.v1 messages and the domain types of engine/generation.h
// and the registry, and between messages and the raw bytes the callback
// service receives and sends.
#ifndef GANSERVE_SERVER_PROTO_CONVERT_H_
#define GANSERVE_SERVER_PROTO_CONVERT_H_

#include "absl/status/statusor.h"
#include "engine/generation.h"
#include "ganserve/v1/generator.pb.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "grpcpp/support/proto_buffer_writer.h"
#include "server/generation_run.h"
#include "server/servable.h"

namespace ganserve {

absl::StatusOr<GenerationRequest> FromProto(const v1::GenerateRequest& proto);
v1::GeneratedImage ToProto(const LoadedGenerator& generator, v1::ImageFormat format,
                           EncodedImage image);
void FillInfo(const Servable& servable, bool is_default, v1::ModelInfo& info);

inline constexpr size_t kMaxMessageBytes = 0x7fffffff;

// INVALID_ARGUMENT naming the message type when `bytes` do not parse.
absl::Status ParseMessage(const grpc::ByteBuffer& bytes, google::protobuf::Message& message);
// RESOURCE_EXHAUSTED naming the size when `message` is over `max_bytes`
// (protobuf cannot encode one over 2 GiB), INTERNAL if encoding fails.
absl::Status Serialize(const google::protobuf::Message& message, grpc::ByteBuffer& bytes,
                       size_t max_bytes = kMaxMessageBytes);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_PROTO_CONVERT_H_
