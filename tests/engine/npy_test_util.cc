#include "tests/engine/npy_test_util.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ganserve {
namespace {

template <typename T>
void Convert(const std::string& raw, Tensor& t) {
  for (int64_t i = 0; i < t.size(); ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    t.data[i] = static_cast<float>(v);
  }
}

}  // namespace

absl::StatusOr<Tensor> ReadNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a .npy file"));
  }
  const int major = bytes[6];
  size_t header_len, offset;
  if (major == 1) {
    header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
    offset = 10;
  } else {
    uint32_t len;
    std::memcpy(&len, bytes.data() + 8, 4);
    header_len = len;
    offset = 12;
  }
  if (offset + header_len > bytes.size()) return absl::InvalidArgumentError("truncated header");
  const std::string header = bytes.substr(offset, header_len);
  auto field = [&](const std::string& key) {
    size_t p = header.find("'" + key + "'");
    return p == std::string::npos ? std::string() : header.substr(header.find(':', p) + 1);
  };
  const std::string descr = field("descr");
  if (field("fortran_order").find("False") != 1 && field("fortran_order").find("False") != 0) {
    return absl::InvalidArgumentError("fortran_order arrays are not supported");
  }
  std::string shape_text = field("shape");
  shape_text =
      shape_text.substr(shape_text.find('(') + 1, shape_text.find(')') - shape_text.find('(') - 1);
  Dims dims;
  std::stringstream ss(shape_text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.find_first_not_of(' ') != std::string::npos) dims.push_back(std::stoll(item));
  }
  Tensor t(dims);
  const std::string raw = bytes.substr(offset + header_len);
  size_t width = 0;
  if (descr.find("<f4") != std::string::npos) width = 4;
  if (descr.find("<f8") != std::string::npos || descr.find("<i8") != std::string::npos) width = 8;
  if (width == 0) return absl::UnimplementedError(absl::StrCat(path, ": dtype ", descr));
  if (raw.size() != static_cast<size_t>(t.size()) * width) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": data size does not match the shape"));
  }
  if (descr.find("<f4") != std::string::npos)
    Convert<float>(raw, t);
  else if (descr.find("<f8") != std::string::npos)
    Convert<double>(raw, t);
  else
    Convert<int64_t>(raw, t);
  return t;
}

absl::Status WriteNpy(const std::string& path, const Tensor& tensor) {
  std::string shape = absl::StrJoin(tensor.shape, ", ");
  if (tensor.shape.size() == 1) shape += ",";
  std::string header =
      absl::StrCat("{'descr': '<f4', 'fortran_order': False, 'shape': (", shape, "), }");
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  out.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  out.put(static_cast<char>(len & 0xff));
  out.put(static_cast<char>(len >> 8));
  out << header;
  out.write(reinterpret_cast<const char*>(tensor.data.data()), tensor.data.size() * sizeof(float));
  return out ? absl::OkStatus() : absl::DataLossError(absl::StrCat("short write to ", path));
}

double RelativeError(const Tensor& a, const Tensor& b) {
  if (a.shape != b.shape) return std::numeric_limits<double>::infinity();
  double diff = 0, norm = 0;
  for (int64_t i = 0; i < a.size(); ++i) {
    diff += (double{a.data[i]} - b.data[i]) * (double{a.data[i]} - b.data[i]);
    norm += double{b.data[i]} * b.data[i];
  }
  return norm == 0 ? std::sqrt(diff) : std::sqrt(diff / norm);
}

}  // namespace ganserve
