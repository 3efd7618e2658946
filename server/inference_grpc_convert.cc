#include "server/inference_grpc_convert.h"

#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

enum class Kind { kFloat, kSigned, kUnsigned, kOther };

struct Datatype {
  Kind kind;
  size_t size;  // bytes per element in raw form; 0 for BYTES
};

const Datatype* FindDatatype(const std::string& name) {
  static const std::map<std::string, Datatype> kDatatypes = {
      {"BOOL", {Kind::kUnsigned, 1}},   {"UINT8", {Kind::kUnsigned, 1}},
      {"UINT16", {Kind::kUnsigned, 2}}, {"UINT32", {Kind::kUnsigned, 4}},
      {"UINT64", {Kind::kUnsigned, 8}}, {"INT8", {Kind::kSigned, 1}},
      {"INT16", {Kind::kSigned, 2}},    {"INT32", {Kind::kSigned, 4}},
      {"INT64", {Kind::kSigned, 8}},    {"FP16", {Kind::kOther, 2}},
      {"BF16", {Kind::kOther, 2}},      {"FP32", {Kind::kFloat, 4}},
      {"FP64", {Kind::kOther, 8}},      {"BYTES", {Kind::kOther, 0}}};
  auto it = kDatatypes.find(name);
  return it == kDatatypes.end() ? nullptr : &it->second;
}

// Little-endian element `i` of `size` bytes.
uint64_t RawElement(const std::string& raw, size_t i, size_t size) {
  uint64_t value = 0;
  for (size_t b = 0; b < size; ++b) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(raw[i * size + b])) << (8 * b);
  }
  return value;
}

int64_t SignExtend(uint64_t value, size_t size) {
  if (size == 8) return static_cast<int64_t>(value);
  const uint64_t sign = uint64_t{1} << (8 * size - 1);
  return static_cast<int64_t>((value ^ sign) - sign);
}

absl::Status DecodeRaw(const std::string& raw, const Datatype& type, InferInput& input) {
  if (type.kind == Kind::kOther) return absl::OkStatus();  // refused by datatype later
  if (raw.size() % type.size != 0) {
    return Invalid(absl::StrCat("raw_input_contents of input '", input.name, "' has ", raw.size(),
                                " bytes, not a multiple of ", input.datatype, "'s ", type.size));
  }
  const size_t n = raw.size() / type.size;
  if (type.kind == Kind::kFloat) {
    input.floats.resize(n);
    std::memcpy(input.floats.data(), raw.data(), raw.size());  // the host is little-endian
    return absl::OkStatus();
  }
  input.integers.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t value = RawElement(raw, i, type.size);
    input.integers[i] =
        type.kind == Kind::kSigned ? SignExtend(value, type.size) : static_cast<int64_t>(value);
  }
  return absl::OkStatus();
}

int64_t ElementsGiven(const inference::InferTensorContents& c) {
  return c.bool_contents_size() + c.int_contents_size() + c.int64_contents_size() +
         c.uint_contents_size() + c.uint64_contents_size() + c.fp32_contents_size() +
         c.fp64_contents_size() + c.bytes_contents_size();
}

absl::Status DecodeContents(const inference::InferTensorContents& c, const Datatype& type,
                            InferInput& input) {
  if (type.kind == Kind::kOther) return absl::OkStatus();  // refused by datatype later
  const std::string& t = input.datatype;
  std::string field;
  if (t == "FP32") {
    input.floats.assign(c.fp32_contents().begin(), c.fp32_contents().end());
    field = "fp32_contents";
  } else if (t == "INT64") {
    input.integers.assign(c.int64_contents().begin(), c.int64_contents().end());
    field = "int64_contents";
  } else if (t == "UINT64") {
    input.integers.assign(c.uint64_contents().begin(), c.uint64_contents().end());
    field = "uint64_contents";
  } else if (t == "BOOL") {
    input.integers.assign(c.bool_contents().begin(), c.bool_contents().end());
    field = "bool_contents";
  } else if (type.kind == Kind::kSigned) {
    input.integers.assign(c.int_contents().begin(), c.int_contents().end());
    field = "int_contents";
  } else {
    input.integers.assign(c.uint_contents().begin(), c.uint_contents().end());
    field = "uint_contents";
  }
  const size_t decoded = t == "FP32" ? input.floats.size() : input.integers.size();
  if (static_cast<int64_t>(decoded) != ElementsGiven(c)) {
    return Invalid(absl::StrCat("input '", input.name, "' of datatype ", t,
                                " must carry its elements in contents.", field));
  }
  return absl::OkStatus();
}

absl::StatusOr<InferParameters> FromProto(
    const google::protobuf::Map<std::string, inference::InferParameter>& proto) {
  InferParameters parameters;
  for (const auto& [name, value] : proto) {
    switch (value.parameter_choice_case()) {
      case inference::InferParameter::kBoolParam:
        parameters[name] = value.bool_param();
        break;
      case inference::InferParameter::kInt64Param:
        parameters[name] = value.int64_param();
        break;
      case inference::InferParameter::kStringParam:
        parameters[name] = value.string_param();
        break;
      case inference::InferParameter::kDoubleParam:
        parameters[name] = value.double_param();
        break;
      case inference::InferParameter::kUint64Param:
        parameters[name] = value.uint64_param();
        break;
      default:
        return Invalid(absl::StrCat("parameter '", name, "' has no value"));
    }
  }
  return parameters;
}

void AppendBytesElement(const std::string& element, std::string& raw) {
  const auto length = static_cast<uint32_t>(element.size());
  for (int b = 0; b < 4; ++b) raw.push_back(static_cast<char>((length >> (8 * b)) & 0xff));
  raw.append(element);
}

void FillContents(InferOutput& output, inference::InferTensorContents& contents) {
  if (output.datatype == "BYTES") {
    for (std::string& element : output.elements) contents.add_bytes_contents(std::move(element));
  } else if (output.datatype == "FP32") {
    auto* values = contents.mutable_fp32_contents();
    values->Resize(static_cast<int>(output.data.size() / sizeof(float)), 0.0f);
    std::memcpy(values->mutable_data(), output.data.data(), output.data.size());
  } else {  // UINT8
    auto* values = contents.mutable_uint_contents();
    values->Reserve(static_cast<int>(output.data.size()));
    for (char byte : output.data) values->Add(static_cast<unsigned char>(byte));
  }
}

void FillTensor(const InferTensorMetadata& tensor,
                inference::ModelMetadataResponse::TensorMetadata& proto) {
  proto.set_name(tensor.name);
  proto.set_datatype(tensor.datatype);
  proto.mutable_shape()->Add(tensor.shape.begin(), tensor.shape.end());
}

}  // namespace

absl::StatusOr<InferRequest> FromProto(const inference::ModelInferRequest& proto) {
  InferRequest request;
  request.model_name = proto.model_name();
  request.model_version = proto.model_version();
  request.id = proto.id();
  GS_ASSIGN_OR_RETURN(request.parameters, FromProto(proto.parameters()));
  const bool raw = proto.raw_input_contents_size() > 0;
  if (raw && proto.raw_input_contents_size() != proto.inputs_size()) {
    return Invalid(absl::StrCat("raw_input_contents has ", proto.raw_input_contents_size(),
                                " entries for ", proto.inputs_size(),
                                " inputs; give one per input, in the order of inputs"));
  }
  for (int i = 0; i < proto.inputs_size(); ++i) {
    const auto& tensor = proto.inputs(i);
    InferInput input;
    input.name = tensor.name();
    input.datatype = tensor.datatype();
    input.shape.assign(tensor.shape().begin(), tensor.shape().end());
    const Datatype* type = FindDatatype(input.datatype);
    if (type == nullptr) {
      return Invalid(
          absl::StrCat("input '", input.name, "' has unknown datatype '", input.datatype, "'"));
    }
    if (raw && tensor.has_contents()) {
      return Invalid(absl::StrCat("input '", input.name,
                                  "' has contents while the request uses raw_input_contents; "
                                  "give each input's data one way"));
    }
    GS_RETURN_IF_ERROR(raw ? DecodeRaw(proto.raw_input_contents(i), *type, input)
                           : DecodeContents(tensor.contents(), *type, input));
    request.inputs.push_back(std::move(input));
  }
  for (const auto& output : proto.outputs()) request.outputs.push_back(output.name());
  return request;
}

bool WantsRawOutputs(const inference::ModelInferRequest& proto) {
  for (const auto& input : proto.inputs()) {
    if (input.has_contents()) return false;
  }
  return true;
}

void ToProto(std::vector<InferOutput> outputs, bool raw, inference::ModelInferResponse& response) {
  for (InferOutput& output : outputs) {
    auto* tensor = response.add_outputs();
    tensor->set_name(output.name);
    tensor->set_datatype(output.datatype);
    tensor->mutable_shape()->Add(output.shape.begin(), output.shape.end());
    if (!raw) {
      FillContents(output, *tensor->mutable_contents());
      continue;
    }
    std::string* contents = response.add_raw_output_contents();
    if (output.datatype != "BYTES") {
      *contents = std::move(output.data);
      continue;
    }
    for (const std::string& element : output.elements) AppendBytesElement(element, *contents);
  }
}

void ToProto(const InferModelMetadata& metadata, inference::ModelMetadataResponse& response) {
  response.set_name(metadata.name);
  for (const std::string& version : metadata.versions) response.add_versions(version);
  response.set_platform(metadata.platform);
  for (const auto& input : metadata.inputs) FillTensor(input, *response.add_inputs());
  for (const auto& output : metadata.outputs) FillTensor(output, *response.add_outputs());
}

void ToProto(const InferServerMetadata& metadata, inference::ServerMetadataResponse& response) {
  response.set_name(metadata.name);
  response.set_version(metadata.version);
  for (const std::string& extension : metadata.extensions) response.add_extensions(extension);
}

}  // namespace ganserve
