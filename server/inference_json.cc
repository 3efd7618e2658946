#include "server/inference_json.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "nlohmann/json.hpp"

namespace ganserve {
namespace {

using Json = nlohmann::json;

// Nested data arrays deeper than any tensor the models take are refused
// before flattening, so a body of brackets cannot exhaust the stack.
constexpr int kMaxDataDepth = 8;

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

absl::StatusOr<InferParameters> Parameters(const Json& json, const std::string& where) {
  InferParameters parameters;
  if (!json.is_object()) return Invalid(where + " must be an object");
  for (const auto& [name, value] : json.items()) {
    if (value.is_boolean()) {
      parameters[name] = value.get<bool>();
    } else if (value.is_number_unsigned()) {
      parameters[name] = value.get<uint64_t>();
    } else if (value.is_number_integer()) {
      parameters[name] = value.get<int64_t>();
    } else if (value.is_number_float()) {
      parameters[name] = value.get<double>();
    } else if (value.is_string()) {
      parameters[name] = value.get<std::string>();
    } else {
      return Invalid(absl::StrCat(where, " \"", name, "\" must be a boolean, number or string"));
    }
  }
  return parameters;
}

bool IsFloatType(const std::string& datatype) {
  return datatype == "FP32" || datatype == "FP64" || datatype == "FP16";
}
bool IsIntegerType(const std::string& datatype) {
  return datatype == "BOOL" || datatype.rfind("INT", 0) == 0 || datatype.rfind("UINT", 0) == 0;
}

// Appends the elements of `data` (flat or nested row-major) to `input`.
absl::Status Flatten(const Json& data, int depth, InferInput& input) {
  if (data.is_array()) {
    if (depth >= kMaxDataDepth) {
      return Invalid(absl::StrCat("input \"", input.name, "\": data nested deeper than ",
                                  kMaxDataDepth, " levels"));
    }
    for (const Json& element : data) GS_RETURN_IF_ERROR(Flatten(element, depth + 1, input));
    return absl::OkStatus();
  }
  if (IsFloatType(input.datatype)) {
    if (!data.is_number()) {
      return Invalid(absl::StrCat("input \"", input.name, "\" is ", input.datatype,
                                  ": expected numbers in data, got ", Dump(data)));
    }
    // Outside float's range is infinity (which PlanInference refuses), not
    // the undefined behaviour of a narrowing cast.
    const double value = data.get<double>();
    input.floats.push_back(std::abs(value) <= std::numeric_limits<float>::max()
                               ? static_cast<float>(value)
                               : std::copysign(std::numeric_limits<float>::infinity(), value));
  } else if (input.datatype == "BOOL") {
    if (!data.is_boolean()) {
      return Invalid(absl::StrCat("input \"", input.name,
                                  "\" is BOOL: expected true or false, got ", Dump(data)));
    }
    input.integers.push_back(data.get<bool>() ? 1 : 0);
  } else if (IsIntegerType(input.datatype)) {
    if (!data.is_number_integer()) {
      return Invalid(absl::StrCat("input \"", input.name, "\" is ", input.datatype,
                                  ": expected integers in data, got ", Dump(data)));
    }
    input.integers.push_back(
        data.is_number_unsigned()
            ? static_cast<int64_t>(std::min<uint64_t>(data.get<uint64_t>(), uint64_t{INT64_MAX}))
            : data.get<int64_t>());
  }
  // Other datatypes carry no elements: PlanInference refuses them by name.
  return absl::OkStatus();
}

absl::StatusOr<InferInput> Input(const Json& json, size_t i) {
  const std::string where = absl::StrCat("inputs[", i, "]");
  if (!json.is_object()) return Invalid(where + " must be an object");
  InferInput input;
  auto name = json.find("name");
  if (name == json.end() || !name->is_string()) return Invalid(where + ".name must be a string");
  input.name = name->get<std::string>();
  auto datatype = json.find("datatype");
  if (datatype == json.end() || !datatype->is_string()) {
    return Invalid(absl::StrCat("input \"", input.name, "\": datatype must be a string"));
  }
  input.datatype = datatype->get<std::string>();
  auto shape = json.find("shape");
  if (shape == json.end() || !shape->is_array()) {
    return Invalid(absl::StrCat("input \"", input.name, "\": shape must be an array of integers"));
  }
  for (const Json& dim : *shape) {
    if (!dim.is_number_integer()) {
      return Invalid(
          absl::StrCat("input \"", input.name, "\": shape must be integers, got ", Dump(*shape)));
    }
    input.shape.push_back(dim.is_number_unsigned() ? static_cast<int64_t>(std::min<uint64_t>(
                                                         dim.get<uint64_t>(), uint64_t{INT64_MAX}))
                                                   : dim.get<int64_t>());
  }
  auto data = json.find("data");
  if (data == json.end()) {
    return Invalid(absl::StrCat("input \"", input.name, "\": data is missing"));
  }
  GS_RETURN_IF_ERROR(Flatten(*data, 0, input));
  return input;
}

Json TensorMetadata(const InferTensorMetadata& tensor) {
  return {{"name", tensor.name}, {"datatype", tensor.datatype}, {"shape", tensor.shape}};
}

template <class T>
Json Elements(const std::string& bytes) {
  Json out = Json::array();
  const size_t n = bytes.size() / sizeof(T);
  for (size_t i = 0; i < n; ++i) {
    T value;
    std::memcpy(&value, bytes.data() + i * sizeof(T), sizeof(T));
    out.push_back(value);
  }
  return out;
}

}  // namespace

absl::StatusOr<InferRequest> InferRequestFromJson(absl::string_view body, const std::string& model,
                                                  const std::string& version) {
  const Json json = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Invalid("the request body is not valid JSON");
  if (!json.is_object()) return Invalid("the request body must be a JSON object");
  InferRequest request;
  request.model_name = model;
  request.model_version = version;
  if (auto id = json.find("id"); id != json.end()) {
    if (!id->is_string()) return Invalid("id must be a string");
    request.id = id->get<std::string>();
  }
  if (auto parameters = json.find("parameters"); parameters != json.end()) {
    GS_ASSIGN_OR_RETURN(request.parameters, Parameters(*parameters, "parameters"));
  }
  auto inputs = json.find("inputs");
  if (inputs == json.end() || !inputs->is_array()) {
    return Invalid("inputs must be an array (it may be empty when parameters say seed and count)");
  }
  for (size_t i = 0; i < inputs->size(); ++i) {
    GS_ASSIGN_OR_RETURN(InferInput input, Input((*inputs)[i], i));
    request.inputs.push_back(std::move(input));
  }
  if (auto outputs = json.find("outputs"); outputs != json.end()) {
    if (!outputs->is_array()) return Invalid("outputs must be an array");
    for (size_t i = 0; i < outputs->size(); ++i) {
      const Json& output = (*outputs)[i];
      auto name = output.is_object() ? output.find("name") : output.end();
      if (!output.is_object() || name == output.end() || !name->is_string()) {
        return Invalid(absl::StrCat("outputs[", i, "] must be an object with a string name"));
      }
      request.outputs.push_back(name->get<std::string>());
    }
  }
  return request;
}

std::string InferResponseToJson(const std::string& model, const std::string& version,
                                const std::string& id, const std::vector<InferOutput>& outputs) {
  Json answer = {{"model_name", model}, {"model_version", version}, {"outputs", Json::array()}};
  if (!id.empty()) answer["id"] = id;
  for (const InferOutput& output : outputs) {
    Json tensor = TensorMetadata(output);
    if (output.datatype == "BYTES") {
      Json elements = Json::array();
      for (const std::string& element : output.elements)
        elements.push_back(absl::Base64Escape(element));
      tensor["data"] = std::move(elements);
      tensor["parameters"] = {{"content_encoding", "base64"}};
    } else if (output.datatype == "UINT8") {
      tensor["data"] = Elements<uint8_t>(output.data);
    } else {
      tensor["data"] = Elements<float>(output.data);
    }
    answer["outputs"].push_back(std::move(tensor));
  }
  return Dump(answer);
}

std::string ServerMetadataToJson(const InferServerMetadata& metadata) {
  return Dump({{"name", metadata.name},
               {"version", metadata.version},
               {"extensions", metadata.extensions}});
}

std::string ModelMetadataToJson(const InferModelMetadata& metadata) {
  Json inputs = Json::array(), outputs = Json::array();
  for (const auto& tensor : metadata.inputs) inputs.push_back(TensorMetadata(tensor));
  for (const auto& tensor : metadata.outputs) outputs.push_back(TensorMetadata(tensor));
  return Dump({{"name", metadata.name},
               {"versions", metadata.versions},
               {"platform", metadata.platform},
               {"inputs", inputs},
               {"outputs", outputs}});
}

}  // namespace ganserve
