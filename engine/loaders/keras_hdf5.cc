#include "engine/loaders/keras_hdf5.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/file_contents.h"
#include "engine/loaders/hdf5_memory_driver.h"
#include "engine/loaders/hdf5_object_headers.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

// HDF5 prints its error stack to stderr by default; a loader reports errors
// as Status instead. Silencing is process-wide but idempotent.
void SilenceHdf5() {
  static const bool silenced = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)silenced;
}

// No float tensor in a generator we can serve is this large (1 GiB).
constexpr int64_t kMaxElements = int64_t{1} << 28;

absl::Status Corrupt(const std::string& what) {
  return absl::DataLossError(absl::StrCat("corrupt or truncated HDF5 data: ", what));
}

// libhdf5 1.10 decodes a global heap collection (where variable-length
// strings live) with a loop that advances by each object's declared size and
// never checks it: a free-space object of size 0, or a size that wraps the
// pointer, makes it spin forever. Walk every collection the way HDF5 will and
// refuse those before HDF5 sees them.
absl::Status CheckGlobalHeaps(const std::string& image) {
  auto u16 = [&](size_t at) {
    return static_cast<uint16_t>(static_cast<unsigned char>(image[at]) |
                                 (static_cast<unsigned char>(image[at + 1]) << 8));
  };
  auto u64 = [&](size_t at) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(image[at + i]);
    return v;
  };
  constexpr uint64_t kObjectHeader = 16;
  for (size_t at = image.find("GCOL"); at != std::string::npos; at = image.find("GCOL", at + 1)) {
    if (at + 16 > image.size() || image[at + 4] != 1) continue;  // not a version-1 collection
    // A collection reaching past the end of the file is refused by HDF5's own
    // bounds check (and is most likely a chance "GCOL" inside weight data).
    if (u64(at + 8) > image.size() - at) continue;
    const uint64_t end = at + u64(at + 8);
    uint64_t p = at + 16;
    while (p + kObjectHeader <= end) {
      const uint16_t index = u16(p);
      const uint64_t size = u64(p + 8);
      // Object 0 is free space and counts its own header; the others add it.
      uint64_t need = size;
      if (index != 0) {
        if (size > UINT64_MAX - kObjectHeader - 7) return Corrupt("a global heap object's size");
        need = kObjectHeader + (size + 7) / 8 * 8;
      }
      if (need == 0) return Corrupt("a global heap's free space has size 0");
      // Past the end, HDF5's pointer may wrap and the walk never ends.
      if (need > end - p) return Corrupt("a global heap object overruns its collection");
      p += need;
    }
  }
  return absl::OkStatus();
}

// libhdf5 1.10 trusts a local heap's (a group's name table) declared data
// size and address: a huge one leads it to free memory twice. A local heap
// starts with "HEAP", version 0 and 3 reserved bytes (libhdf5 ignores their
// values, so neither may this scan), then size, free list, address.
absl::Status CheckLocalHeaps(const std::string& image) {
  auto u64 = [&](size_t at) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(image[at + i]);
    return v;
  };
  const std::string signature("HEAP\0", 5);
  for (size_t at = image.find(signature); at != std::string::npos;
       at = image.find(signature, at + 1)) {
    if (at + 32 > image.size()) return Corrupt("a local heap is cut short");
    const uint64_t size = u64(at + 8), free_list = u64(at + 16), address = u64(at + 24);
    if (size > image.size() || address > image.size() - size) {
      return Corrupt("a local heap's data lies outside the file");
    }
    // 1 is HDF5's "no free block"; 0xff.. is an undefined address.
    if (free_list != 1 && free_list != UINT64_MAX && free_list >= size) {
      return Corrupt("a local heap's free list lies outside its data");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ReadStrings(hid_t attr, hid_t type, hid_t space) {
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n < 0 || n > (1 << 20)) return Corrupt("string attribute size");
  std::vector<std::string> out;
  if (H5Tis_variable_str(type) > 0) {
    H5Handle mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type));
    std::vector<char*> ptrs(n, nullptr);
    if (H5Aread(attr, mem.get(), ptrs.data()) < 0) return Corrupt("unreadable string attribute");
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mem.get(), space, H5P_DEFAULT, ptrs.data());
    return out;
  }
  const size_t size = H5Tget_size(type);
  if (size == 0 || size > (1 << 24) || static_cast<uint64_t>(n) * size > (1u << 28)) {
    return Corrupt("string attribute size");
  }
  H5Handle mem(H5Tcopy(type));
  std::vector<char> buf(n * size);
  if (H5Aread(attr, mem.get(), buf.data()) < 0) return Corrupt("unreadable string attribute");
  for (hssize_t i = 0; i < n; ++i) {
    const char* s = buf.data() + i * size;
    out.emplace_back(s, strnlen(s, size));
  }
  return out;
}

}  // namespace

H5Handle& H5Handle::operator=(H5Handle&& other) noexcept {
  if (this != &other) {
    Reset();
    id_ = other.id_;
    other.id_ = -1;
  }
  return *this;
}

void H5Handle::Reset() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE:
      H5Fclose(id_);
      break;
    case H5I_GROUP:
      H5Gclose(id_);
      break;
    case H5I_DATASET:
      H5Dclose(id_);
      break;
    case H5I_ATTR:
      H5Aclose(id_);
      break;
    case H5I_DATATYPE:
      H5Tclose(id_);
      break;
    case H5I_DATASPACE:
      H5Sclose(id_);
      break;
    case H5I_GENPROP_LST:
      H5Pclose(id_);
      break;
    default:
      H5Oclose(id_);
      break;
  }
  id_ = -1;
}

absl::StatusOr<H5File> H5File::Open(const std::string& path) {
  // Read into memory so that CheckGlobalHeaps sees the bytes HDF5 will parse.
  const std::optional<std::string> image = ReadFileContents(path);
  if (!image) return absl::NotFoundError("cannot open the file");
  return OpenImage(*image, path);
}

absl::StatusOr<H5File> H5File::OpenImage(const std::string& image, const std::string& label) {
  SilenceHdf5();
  if (image.size() < 8 || image.compare(0, 8, "\x89HDF\r\n\x1a\n") != 0) {
    return absl::InvalidArgumentError("not an HDF5 file (no HDF5 signature), or truncated");
  }
  GS_RETURN_IF_ERROR(CheckGlobalHeaps(image));
  GS_RETURN_IF_ERROR(CheckLocalHeaps(image));
  GS_RETURN_IF_ERROR(CheckObjectHeaders(image));
  H5Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
  if (!fapl.valid()) return absl::InternalError("cannot create an HDF5 file access list");
  GS_RETURN_IF_ERROR(SetHdf5MemoryDriver(fapl.get(), image));
  H5Handle file(H5Fopen(label.c_str(), H5F_ACC_RDONLY, fapl.get()));
  if (!file.valid()) return Corrupt(absl::StrCat(label, " is not a readable HDF5 file"));
  return H5File(std::move(file), label);
}

bool H5HasAttr(hid_t object, const std::string& name) {
  return H5Aexists(object, name.c_str()) > 0;
}

bool H5HasLink(hid_t group, const std::string& path) {
  // H5Lexists fails on a missing intermediate group, so walk the path.
  size_t pos = 0;
  while (true) {
    const size_t slash = path.find('/', pos);
    const std::string prefix = path.substr(0, slash);
    if (prefix.empty() || H5Lexists(group, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
    pos = slash + 1;
  }
}

absl::StatusOr<H5Handle> H5OpenGroup(hid_t parent, const std::string& path) {
  if (!H5HasLink(parent, path)) {
    return absl::NotFoundError(absl::StrCat("no HDF5 group '", path, "'"));
  }
  H5Handle group(H5Oopen(parent, path.c_str(), H5P_DEFAULT));
  if (!group.valid()) return Corrupt(absl::StrCat("group '", path, "' cannot be opened"));
  return group;
}

absl::StatusOr<std::string> H5ReadStringAttr(hid_t object, const std::string& name) {
  auto list = H5ReadStringListAttr(object, name);
  if (!list.ok()) return list.status();
  if (list->size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("attribute '", name, "' holds ", list->size(), " strings, expected one"));
  }
  return std::move((*list)[0]);
}

absl::StatusOr<std::vector<std::string>> H5ReadStringListAttr(hid_t object,
                                                              const std::string& name) {
  if (!H5HasAttr(object, name)) {
    return absl::NotFoundError(absl::StrCat("no attribute '", name, "'"));
  }
  H5Handle attr(H5Aopen(object, name.c_str(), H5P_DEFAULT));
  if (!attr.valid()) return Corrupt(absl::StrCat("attribute '", name, "'"));
  H5Handle type(H5Aget_type(attr.get()));
  H5Handle space(H5Aget_space(attr.get()));
  if (!type.valid() || !space.valid()) return Corrupt(absl::StrCat("attribute '", name, "'"));
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_STRING) return ReadStrings(attr.get(), type.get(), space.get());
  if (H5Sget_simple_extent_npoints(space.get()) == 0) return std::vector<std::string>{};
  return absl::InvalidArgumentError(
      absl::StrCat("attribute '", name, "' is not a string attribute"));
}

absl::StatusOr<Tensor> H5ReadFloatDataset(hid_t parent, const std::string& path) {
  if (!H5HasLink(parent, path)) {
    return absl::NotFoundError(absl::StrCat("no dataset '", path, "'"));
  }
  H5Handle ds(H5Dopen2(parent, path.c_str(), H5P_DEFAULT));
  if (!ds.valid()) return Corrupt(absl::StrCat("'", path, "' is not a readable dataset"));
  H5Handle type(H5Dget_type(ds.get()));
  if (H5Tget_class(type.get()) != H5T_FLOAT) {
    return absl::InvalidArgumentError(absl::StrCat("dataset '", path, "' is not floating point"));
  }
  // libhdf5 sizes its conversion buffer by the file's element size, which a
  // corrupt header can make gigabytes.
  const size_t element = H5Tget_size(type.get());
  if (element != 2 && element != 4 && element != 8) {
    return Corrupt(absl::StrCat("dataset '", path, "' has ", element, "-byte floats"));
  }
  H5Handle space(H5Dget_space(ds.get()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > 8) return Corrupt(absl::StrCat("dataset '", path, "' rank"));
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  Dims shape;
  int64_t n = 1;
  for (hsize_t d : dims) {
    if (d > static_cast<hsize_t>(kMaxElements)) return Corrupt(absl::StrCat("'", path, "' shape"));
    shape.push_back(static_cast<int64_t>(d));
    n *= static_cast<int64_t>(d);
    if (n > kMaxElements) return Corrupt(absl::StrCat("'", path, "' is implausibly large"));
  }
  // A corrupt header can claim far more data than the file holds; check the
  // claim against what is stored before allocating (Keras never compresses).
  const hsize_t stored = H5Dget_storage_size(ds.get());
  if (n > 0 && static_cast<uint64_t>(n) > std::max<uint64_t>(stored, 1 << 16) * 64) {
    return Corrupt(absl::StrCat("'", path, "' claims more elements than are stored"));
  }
  Tensor t(shape);
  if (n > 0 &&
      H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data.data()) < 0) {
    return Corrupt(absl::StrCat("dataset '", path, "' cannot be read"));
  }
  return t;
}

}  // namespace ganserve
