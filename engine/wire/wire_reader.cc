#include "engine/wire/wire_reader.h"

#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace ganserve {

absl::Status WireReader::Need(size_t n, absl::string_view field) const {
  if (n > remaining()) {
    return absl::InvalidArgumentError(absl::StrCat("loader answer truncated reading ", field,
                                                   " at byte ", at_, ": needs ", n, " bytes, ",
                                                   remaining(), " left"));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint8_t> WireReader::U8(absl::string_view field) {
  GS_RETURN_IF_ERROR(Need(1, field));
  return static_cast<uint8_t>(bytes_[at_++]);
}

absl::StatusOr<bool> WireReader::Bool(absl::string_view field) {
  GS_ASSIGN_OR_RETURN(uint8_t v, U8(field));
  if (v > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("loader answer: ", field, " at byte ", at_ - 1, " is ", v, ", not 0 or 1"));
  }
  return v == 1;
}

absl::StatusOr<uint32_t> WireReader::U32(absl::string_view field) {
  GS_RETURN_IF_ERROR(Need(4, field));
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(bytes_[at_ + i])} << (8 * i);
  at_ += 4;
  return v;
}

absl::StatusOr<uint32_t> WireReader::Count(absl::string_view field, uint32_t max) {
  GS_ASSIGN_OR_RETURN(uint32_t v, U32(field));
  if (v > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("loader answer: ", field, " at byte ", at_ - 4, " is ", v, ", above ", max));
  }
  return v;
}

absl::StatusOr<int64_t> WireReader::I64(absl::string_view field) {
  GS_RETURN_IF_ERROR(Need(8, field));
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(bytes_[at_ + i])} << (8 * i);
  at_ += 8;
  return static_cast<int64_t>(v);
}

absl::StatusOr<float> WireReader::F32(absl::string_view field) {
  GS_ASSIGN_OR_RETURN(uint32_t bits, U32(field));
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

absl::StatusOr<std::string> WireReader::String(absl::string_view field) {
  GS_ASSIGN_OR_RETURN(uint32_t n, Count(field, kMaxWireString));
  GS_RETURN_IF_ERROR(Need(n, field));
  std::string s(bytes_.substr(at_, n));
  at_ += n;
  return s;
}

absl::StatusOr<std::vector<int64_t>> WireReader::Ints(absl::string_view field) {
  GS_ASSIGN_OR_RETURN(uint32_t n, Count(field, kMaxWireInts));
  std::vector<int64_t> v(n);
  for (int64_t& x : v) {
    GS_ASSIGN_OR_RETURN(x, I64(field));
  }
  return v;
}

absl::StatusOr<Dims> WireReader::DimsField(absl::string_view field) {
  GS_ASSIGN_OR_RETURN(uint32_t rank, Count(field, kMaxWireRank));
  Dims dims(rank);
  for (int64_t& d : dims) {
    GS_ASSIGN_OR_RETURN(d, I64(field));
    if (d <= 0 || d > std::numeric_limits<int32_t>::max()) {
      return absl::InvalidArgumentError(
          absl::StrCat("loader answer: ", field, " has dimension ", d));
    }
  }
  return dims;
}

absl::StatusOr<Tensor> WireReader::TensorField(absl::string_view field) {
  GS_ASSIGN_OR_RETURN(Dims shape, DimsField(field));
  GS_ASSIGN_OR_RETURN(int64_t n, I64(field));
  // Checked against the bytes left before allocating, so no answer can make
  // the server allocate more than four times its own length.
  if (n < 0 || static_cast<uint64_t>(n) > remaining() / 4) {
    return absl::InvalidArgumentError(absl::StrCat("loader answer: ", field, " claims ", n,
                                                   " floats, ", remaining(), " bytes left"));
  }
  int64_t expected = 1;
  bool fits = true;
  for (int64_t d : shape) {
    fits = fits && d <= n / expected;
    if (fits) expected *= d;
  }
  const bool empty = shape.empty() && n == 0;  // a default-constructed Tensor
  if (!empty && (!fits || expected != n)) {
    return absl::InvalidArgumentError(absl::StrCat("loader answer: ", field, " has ", n,
                                                   " values for shape ", DimsToString(shape)));
  }
  Tensor t(std::move(shape), std::vector<float>(n));
  for (float& v : t.data) {
    GS_ASSIGN_OR_RETURN(v, F32(field));
  }
  return t;
}

absl::StatusOr<std::optional<Tensor>> WireReader::OptionalTensor(absl::string_view field) {
  GS_ASSIGN_OR_RETURN(bool present, Bool(field));
  if (!present) return std::optional<Tensor>();
  GS_ASSIGN_OR_RETURN(Tensor t, TensorField(field));
  return std::optional<Tensor>(std::move(t));
}

absl::StatusOr<Activation> WireReader::ActivationField(absl::string_view field) {
  GS_ASSIGN_OR_RETURN(uint32_t kind,
                      Count(field, static_cast<uint32_t>(Activation::Kind::kIsZero)));
  Activation a;
  a.kind = static_cast<Activation::Kind>(kind);
  GS_ASSIGN_OR_RETURN(a.alpha, F32(field));
  GS_ASSIGN_OR_RETURN(a.max_value, F32(field));
  GS_ASSIGN_OR_RETURN(a.threshold, F32(field));
  return a;
}

}  // namespace ganserve
