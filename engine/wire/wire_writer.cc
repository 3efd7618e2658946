#include "engine/wire/wire_writer.h"

#include <cstring>

namespace ganserve {

void WireWriter::U32(uint32_t v) {
  for (int i = 0; i < 4; ++i) U8(static_cast<uint8_t>(v >> (8 * i)));
}

void WireWriter::I64(int64_t v) {
  const auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) U8(static_cast<uint8_t>(u >> (8 * i)));
}

void WireWriter::F32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  U32(bits);
}

void WireWriter::String(absl::string_view s) {
  U32(static_cast<uint32_t>(s.size()));
  out_.append(s.data(), s.size());
}

void WireWriter::Ints(const std::vector<int64_t>& v) {
  U32(static_cast<uint32_t>(v.size()));
  for (int64_t x : v) I64(x);
}

void WireWriter::TensorField(const Tensor& t) {
  DimsField(t.shape);
  I64(t.size());
  for (float v : t.data) F32(v);
}

void WireWriter::OptionalTensor(const std::optional<Tensor>& t) {
  Bool(t.has_value());
  if (t) TensorField(*t);
}

void WireWriter::ActivationField(const Activation& a) {
  U32(static_cast<uint32_t>(a.kind));
  F32(a.alpha);
  F32(a.max_value);
  F32(a.threshold);
}

}  // namespace ganserve
