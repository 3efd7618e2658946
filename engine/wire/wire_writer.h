// Appends little-endian fields to the byte string a loader child hands back
// to the server (see wire_reader.h for the checks on the way in).
#ifndef GANSERVE_ENGINE_WIRE_WIRE_WRITER_H_
#define GANSERVE_ENGINE_WIRE_WIRE_WRITER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/activation.h"
#include "engine/tensor.h"

namespace ganserve {

class WireWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void Bool(bool v) { U8(v ? 1 : 0); }
  void U32(uint32_t v);
  void I64(int64_t v);
  void F32(float v);
  void String(absl::string_view s);
  void Ints(const std::vector<int64_t>& v);
  void DimsField(const Dims& dims) { Ints(dims); }
  void TensorField(const Tensor& t);
  void OptionalTensor(const std::optional<Tensor>& t);
  void ActivationField(const Activation& a);

  const std::string& bytes() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_WIRE_WIRE_WRITER_H_
