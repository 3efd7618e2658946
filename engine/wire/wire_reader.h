// Reads what WireWriter wrote, trusting nothing: every read is checked
// against the bytes that remain, every count against a fixed bound and the
// remaining bytes before anything is allocated, every enum against its range.
// Errors name the field being read and its byte offset.
#ifndef GANSERVE_ENGINE_WIRE_WIRE_READER_H_
#define GANSERVE_ENGINE_WIRE_WIRE_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/activation.h"
#include "engine/tensor.h"

namespace ganserve {

inline constexpr uint32_t kMaxWireRank = 8;
inline constexpr uint32_t kMaxWireInts = 16;
inline constexpr uint32_t kMaxWireString = 4096;

class WireReader {
 public:
  explicit WireReader(absl::string_view bytes) : bytes_(bytes) {}

  absl::StatusOr<uint8_t> U8(absl::string_view field);
  absl::StatusOr<bool> Bool(absl::string_view field);
  absl::StatusOr<uint32_t> U32(absl::string_view field);
  // A U32 that must be at most `max`.
  absl::StatusOr<uint32_t> Count(absl::string_view field, uint32_t max);
  absl::StatusOr<int64_t> I64(absl::string_view field);
  absl::StatusOr<float> F32(absl::string_view field);
  absl::StatusOr<std::string> String(absl::string_view field);
  // Up to kMaxWireInts signed integers (attribute lists, reshape targets).
  absl::StatusOr<std::vector<int64_t>> Ints(absl::string_view field);
  // Every dimension must be positive.
  absl::StatusOr<Dims> DimsField(absl::string_view field);
  absl::StatusOr<Tensor> TensorField(absl::string_view field);
  absl::StatusOr<std::optional<Tensor>> OptionalTensor(absl::string_view field);
  absl::StatusOr<Activation> ActivationField(absl::string_view field);

  size_t remaining() const { return bytes_.size() - at_; }
  size_t offset() const { return at_; }

 private:
  absl::Status Need(size_t n, absl::string_view field) const;

  absl::string_view bytes_;
  size_t at_ = 0;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_WIRE_WIRE_READER_H_
