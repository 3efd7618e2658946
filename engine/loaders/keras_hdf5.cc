#include "engine/loaders/keras_hdf5.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

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
  SilenceHdf5();
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not an HDF5 file (or truncated)"));
  }
  H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!file.valid()) return Corrupt(absl::StrCat(path, " cannot be opened"));
  return H5File(std::move(file), path);
}

absl::StatusOr<H5File> H5File::OpenImage(const std::string& image, const std::string& label) {
  SilenceHdf5();
  H5Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
  if (H5Pset_fapl_core(fapl.get(), 1 << 20, /*backing_store=*/0) < 0 ||
      H5Pset_file_image(fapl.get(), const_cast<char*>(image.data()), image.size()) < 0) {
    return absl::InternalError("cannot set up an in-memory HDF5 file");
  }
  // The core driver needs a name; it never touches the disk without backing store.
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
