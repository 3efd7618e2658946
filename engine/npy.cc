#include "engine/npy.h"

#include <cstdint>
#include <cstring>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/file_contents.h"
#include "engine/status_context.h"

namespace ganserve {
namespace {

// The value of `key` in the header dict, e.g. 'descr': '<f4' -> <f4.
std::string HeaderValue(const std::string& header, const std::string& key) {
  const size_t k = header.find(absl::StrCat("'", key, "'"));
  if (k == std::string::npos) return "";
  size_t start = header.find(':', k);
  if (start == std::string::npos) return "";
  ++start;
  while (start < header.size() && header[start] == ' ') ++start;
  if (start >= header.size()) return "";
  size_t end;
  if (header[start] == '(') {
    end = header.find(')', start);
    return end == std::string::npos ? "" : header.substr(start + 1, end - start - 1);
  }
  if (header[start] == '\'') {
    end = header.find('\'', start + 1);
    return end == std::string::npos ? "" : header.substr(start + 1, end - start - 1);
  }
  end = header.find_first_of(",}", start);
  return header.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

template <typename T>
void Convert(const char* src, std::vector<float>& out) {
  for (size_t i = 0; i < out.size(); ++i) {
    T v;
    std::memcpy(&v, src + i * sizeof(T), sizeof(T));
    out[i] = static_cast<float>(v);
  }
}

}  // namespace

absl::StatusOr<Tensor> ParseNpy(const std::string& bytes) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    return absl::InvalidArgumentError("not a .npy file (bad magic)");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len, offset;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return absl::InvalidArgumentError(".npy header is truncated");
    uint32_t len;
    std::memcpy(&len, bytes.data() + 8, 4);
    header_len = len;
    offset = 12;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unsupported .npy version ", major));
  }
  if (bytes.size() < offset + header_len)
    return absl::InvalidArgumentError(".npy header is truncated");
  const std::string header = bytes.substr(offset, header_len);
  offset += header_len;
  if (HeaderValue(header, "fortran_order") != "False") {
    return absl::InvalidArgumentError(".npy array is not in C order");
  }
  const std::string descr = HeaderValue(header, "descr");
  Dims shape;
  for (absl::string_view part : absl::StrSplit(HeaderValue(header, "shape"), ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (part.empty()) continue;
    int64_t d;
    if (!absl::SimpleAtoi(part, &d) || d < 0 || d > (int64_t{1} << 32)) {
      return absl::InvalidArgumentError(".npy shape is malformed");
    }
    shape.push_back(d);
  }
  size_t width;
  if (descr == "<f4" || descr == "<i4") {
    width = 4;
  } else if (descr == "<f8" || descr == "<i8") {
    width = 8;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(".npy dtype '", descr, "' is not supported (<f4, <f8, <i4, <i8)"));
  }
  const int64_t n = NumElements(shape);
  if (n < 0 || static_cast<uint64_t>(n) > (bytes.size() - offset) / width ||
      bytes.size() - offset != static_cast<uint64_t>(n) * width) {
    return absl::InvalidArgumentError(absl::StrCat(".npy data holds ", bytes.size() - offset,
                                                   " bytes, the header implies ", n * width));
  }
  Tensor t(shape);
  const char* src = bytes.data() + offset;
  if (descr == "<f4") Convert<float>(src, t.data);
  if (descr == "<f8") Convert<double>(src, t.data);
  if (descr == "<i4") Convert<int32_t>(src, t.data);
  if (descr == "<i8") Convert<int64_t>(src, t.data);
  return t;
}

absl::StatusOr<Tensor> ReadNpy(const std::string& path) {
  const std::optional<std::string> bytes = ReadFileContents(path);
  if (!bytes) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  auto t = ParseNpy(*bytes);
  if (!t.ok()) return WithPrefix(path, t.status());
  return t;
}

std::string SerializeNpy(const Tensor& tensor) {
  std::string shape = absl::StrJoin(tensor.shape, ", ");
  if (tensor.shape.size() == 1) shape += ",";  // "(4,)" is a tuple, "(4)" is not
  std::string header =
      absl::StrCat("{'descr': '<f4', 'fortran_order': False, 'shape': (", shape, "), }");
  // Pad so that magic + length + header is a multiple of 64, ending in '\n'.
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char*>(tensor.data.data()), tensor.data.size() * sizeof(float));
  return out;
}

absl::Status WriteNpy(const std::string& path, const Tensor& tensor) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return absl::PermissionDeniedError(absl::StrCat(path, ": cannot write"));
  const std::string bytes = SerializeNpy(tensor);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) return absl::DataLossError(absl::StrCat(path, ": write failed"));
  return absl::OkStatus();
}

}  // namespace ganserve
