#include "engine/loaders/onnx_proto_reader.h"

#include <cstring>
#include <fstream>
#include <limits>

#include "absl/strings/str_cat.h"

namespace ganserve {
namespace {

using onnx::TensorProto;

// Copies `count` little-endian values of type T out of raw_data.
template <typename T>
absl::Status FromRaw(const std::string& raw, int64_t count, std::vector<double>& out) {
  if (static_cast<int64_t>(raw.size()) != count * static_cast<int64_t>(sizeof(T))) {
    return absl::InvalidArgumentError(
        absl::StrCat("raw_data holds ", raw.size(), " bytes, the shape needs ", count * sizeof(T)));
  }
  out.resize(count);
  for (int64_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(v);
  }
  return absl::OkStatus();
}

template <typename Field>
absl::Status FromField(const Field& field, int64_t count, std::vector<double>& out) {
  if (field.size() != count) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor holds ", field.size(), " values, the shape needs ", count));
  }
  out.assign(field.begin(), field.end());
  return absl::OkStatus();
}

}  // namespace

Tensor ConstTensor::ToFloat() const {
  Tensor t(dims);
  for (int64_t i = 0; i < size(); ++i) t.data[i] = static_cast<float>(values[i]);
  return t;
}

absl::StatusOr<onnx::ModelProto> ParseOnnxBytes(const std::string& bytes) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) {
    return absl::InvalidArgumentError("not an ONNX model: the protobuf does not parse");
  }
  if (!model.has_graph()) return absl::InvalidArgumentError("ONNX model has no graph");
  return model;
}

absl::StatusOr<onnx::ModelProto> ReadOnnxFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  const std::streamoff size = in.tellg();
  if (size < 0 || size >= kMaxOnnxFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is ", size, " bytes; ONNX files over 2 GiB are not supported"));
  }
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) return absl::DataLossError(absl::StrCat("cannot read ", path));
  auto model = ParseOnnxBytes(bytes);
  if (!model.ok())
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", model.status().message()));
  return model;
}

absl::StatusOr<ConstTensor> ConstFromTensorProto(const TensorProto& p) {
  ConstTensor c;
  int64_t count = 1;
  for (int64_t d : p.dims()) {
    if (d < 0 || (d > 0 && count > std::numeric_limits<int32_t>::max() / d)) {
      return absl::InvalidArgumentError(
          absl::StrCat("tensor '", p.name(), "' has an invalid or huge shape"));
    }
    count *= d;
    c.dims.push_back(d);
  }
  if (p.data_location() == TensorProto::EXTERNAL) {
    return absl::UnimplementedError(
        absl::StrCat("tensor '", p.name(), "' keeps its data in an external file"));
  }
  const bool raw = p.has_raw_data();
  const std::string& r = p.raw_data();
  absl::Status s;
  switch (p.data_type()) {
    case TensorProto::FLOAT:
      s = raw ? FromRaw<float>(r, count, c.values) : FromField(p.float_data(), count, c.values);
      break;
    case TensorProto::DOUBLE:
      s = raw ? FromRaw<double>(r, count, c.values) : FromField(p.double_data(), count, c.values);
      break;
    case TensorProto::INT64:
      c.is_integer = true;
      s = raw ? FromRaw<int64_t>(r, count, c.values) : FromField(p.int64_data(), count, c.values);
      break;
    case TensorProto::INT32:
      c.is_integer = true;
      s = raw ? FromRaw<int32_t>(r, count, c.values) : FromField(p.int32_data(), count, c.values);
      break;
    case TensorProto::BOOL:
    case TensorProto::UINT8:
      c.is_integer = true;
      s = raw ? FromRaw<uint8_t>(r, count, c.values) : FromField(p.int32_data(), count, c.values);
      break;
    case TensorProto::INT8:
      c.is_integer = true;
      s = raw ? FromRaw<int8_t>(r, count, c.values) : FromField(p.int32_data(), count, c.values);
      break;
    default:
      return absl::UnimplementedError(absl::StrCat(
          "tensor '", p.name(), "' has element type ",
          TensorProto::DataType_Name(static_cast<TensorProto::DataType>(p.data_type())),
          ", which is not supported"));
  }
  if (!s.ok())
    return absl::InvalidArgumentError(absl::StrCat("tensor '", p.name(), "': ", s.message()));
  return c;
}

std::string NodeName(const onnx::NodeProto& node) {
  if (!node.name().empty() || node.output_size() == 0) return node.name();
  return node.output(0);
}

std::string NodeLabel(const onnx::NodeProto& node) {
  return absl::StrCat(node.op_type(), " node '", NodeName(node), "'");
}

const onnx::AttributeProto* Attributes::Find(const std::string& name) const {
  for (const auto& a : node_.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

absl::Status Attributes::WrongType(const onnx::AttributeProto& a, const char* want) const {
  return absl::InvalidArgumentError(
      absl::StrCat(NodeLabel(node_), ": attribute '", a.name(), "' should be ", want));
}

absl::StatusOr<int64_t> Attributes::Int(const std::string& name, int64_t fallback) const {
  const auto* a = Find(name);
  if (a == nullptr) return fallback;
  if (a->type() != onnx::AttributeProto::INT) return WrongType(*a, "an int");
  return a->i();
}

absl::StatusOr<float> Attributes::Float(const std::string& name, float fallback) const {
  const auto* a = Find(name);
  if (a == nullptr) return fallback;
  if (a->type() != onnx::AttributeProto::FLOAT) return WrongType(*a, "a float");
  return a->f();
}

absl::StatusOr<std::string> Attributes::String(const std::string& name,
                                               std::string fallback) const {
  const auto* a = Find(name);
  if (a == nullptr) return fallback;
  if (a->type() != onnx::AttributeProto::STRING) return WrongType(*a, "a string");
  return a->s();
}

absl::StatusOr<std::vector<int64_t>> Attributes::Ints(const std::string& name,
                                                      std::vector<int64_t> fallback) const {
  const auto* a = Find(name);
  if (a == nullptr) return fallback;
  if (a->type() != onnx::AttributeProto::INTS) return WrongType(*a, "a list of ints");
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

absl::StatusOr<std::vector<float>> Attributes::Floats(const std::string& name,
                                                      std::vector<float> fallback) const {
  const auto* a = Find(name);
  if (a == nullptr) return fallback;
  if (a->type() != onnx::AttributeProto::FLOATS) return WrongType(*a, "a list of floats");
  return std::vector<float>(a->floats().begin(), a->floats().end());
}

}  // namespace ganserve
