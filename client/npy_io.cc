#include "client/npy_io.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ganserve::client {
namespace {

// The value text after 'key': in the header dict, up to its end.
absl::StatusOr<std::string> HeaderValue(const std::string& header, const std::string& key) {
  const size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return absl::InvalidArgumentError(absl::StrCat(".npy header has no '", key, "'"));
  size_t start = header.find(':', at);
  if (start == std::string::npos) return absl::InvalidArgumentError(".npy header is malformed");
  ++start;
  while (start < header.size() && header[start] == ' ') ++start;
  size_t end =
      header[start] == '(' ? header.find(')', start) + 1 : header.find_first_of(",}", start);
  if (end == std::string::npos || end == 0)
    return absl::InvalidArgumentError(".npy header is malformed");
  return header.substr(start, end - start);
}

template <typename T>
void Convert(const char* data, size_t count, std::vector<float>& out) {
  out.resize(count);
  for (size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, data + i * sizeof(T), sizeof(T));
    out[i] = static_cast<float>(v);
  }
}

}  // namespace

absl::StatusOr<NpyArray> ParseNpy(const std::string& bytes) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    return absl::InvalidArgumentError("not a .npy file (no \\x93NUMPY magic)");
  }
  const int major = static_cast<uint8_t>(bytes[6]);
  size_t header_len, header_start;
  if (major == 1) {
    header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
    header_start = 10;
  } else if ((major == 2 || major == 3) && bytes.size() >= 12) {
    header_len = 0;
    for (int i = 0; i < 4; ++i)
      header_len |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i])) << (8 * i);
    header_start = 12;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unsupported .npy version ", major));
  }
  if (header_start + header_len > bytes.size())
    return absl::InvalidArgumentError(".npy header is truncated");
  const std::string header = bytes.substr(header_start, header_len);
  auto descr = HeaderValue(header, "descr");
  auto order = HeaderValue(header, "fortran_order");
  auto shape_text = HeaderValue(header, "shape");
  if (!descr.ok()) return descr.status();
  if (!order.ok()) return order.status();
  if (!shape_text.ok()) return shape_text.status();
  if (*order != "False")
    return absl::InvalidArgumentError(".npy arrays in Fortran order are not supported");

  NpyArray array;
  size_t count = 1;
  for (absl::string_view dim :
       absl::StrSplit(absl::StripSuffix(absl::StripPrefix(*shape_text, "("), ")"), ',')) {
    dim = absl::StripAsciiWhitespace(dim);
    if (dim.empty()) continue;
    int64_t n;
    if (!absl::SimpleAtoi(dim, &n) || n < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(".npy shape ", *shape_text, " is not a list of sizes"));
    }
    array.shape.push_back(n);
    count *= n;
  }
  const std::string type(absl::StripSuffix(absl::StripPrefix(*descr, "'"), "'"));
  const size_t width = type == "<f4" || type == "<i4" ? 4 : type == "<f8" || type == "<i8" ? 8 : 0;
  if (width == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(".npy dtype ", type, " is not supported (want <f4, <f8, <i4 or <i8)"));
  }
  const size_t data_start = header_start + header_len;
  if (bytes.size() - data_start != count * width) {
    return absl::InvalidArgumentError(absl::StrCat(".npy data is ", bytes.size() - data_start,
                                                   " bytes; shape ", *shape_text, " of ", type,
                                                   " needs ", count * width));
  }
  const char* data = bytes.data() + data_start;
  if (type == "<f4") Convert<float>(data, count, array.values);
  if (type == "<f8") Convert<double>(data, count, array.values);
  if (type == "<i4") Convert<int32_t>(data, count, array.values);
  if (type == "<i8") Convert<int64_t>(data, count, array.values);
  return array;
}

absl::StatusOr<NpyArray> ReadNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read '", path, "'"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto array = ParseNpy(buffer.str());
  if (!array.ok())
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", array.status().message()));
  return array;
}

std::string SerializeNpy(const NpyArray& array) {
  std::string shape = absl::StrJoin(array.shape, ", ");
  if (array.shape.size() == 1) shape += ",";
  std::string header =
      absl::StrCat("{'descr': '<f4', 'fortran_order': False, 'shape': (", shape, "), }");
  // Pad with spaces so the data starts on a 64-byte boundary, newline last.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char*>(array.values.data()),
             array.values.size() * sizeof(float));
  return out;
}

absl::Status WriteNpy(const std::string& path, const NpyArray& array) {
  std::ofstream out(path, std::ios::binary);
  const std::string bytes = SerializeNpy(array);
  out.write(bytes.data(), bytes.size());
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write '", path, "'"));
  return absl::OkStatus();
}

}  // namespace ganserve::client
