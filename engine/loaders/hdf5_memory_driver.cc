#include "engine/loaders/hdf5_memory_driver.h"

#include <cstring>
#include <new>

namespace ganserve {
namespace {

// What H5Pset_driver stores in the fapl (HDF5 copies these bytes).
struct ImageInfo {
  const char* data;
  size_t size;
};

// HDF5 owns the H5FD_t part; it must come first.
struct ImageFile {
  H5FD_t pub;
  std::string bytes;
  haddr_t eoa;
};

ImageFile* Cast(H5FD_t* file) { return reinterpret_cast<ImageFile*>(file); }
const ImageFile* Cast(const H5FD_t* file) { return reinterpret_cast<const ImageFile*>(file); }

H5FD_t* Open(const char* /*name*/, unsigned flags, hid_t fapl, haddr_t /*maxaddr*/) {
  if (flags & (H5F_ACC_RDWR | H5F_ACC_CREAT | H5F_ACC_TRUNC)) return nullptr;
  const auto* info = static_cast<const ImageInfo*>(H5Pget_driver_info(fapl));
  if (info == nullptr || info->data == nullptr) return nullptr;
  auto* file = new (std::nothrow) ImageFile{};
  if (file == nullptr) return nullptr;
  file->bytes.assign(info->data, info->size);
  file->eoa = 0;
  return &file->pub;
}

herr_t Close(H5FD_t* file) {
  delete Cast(file);
  return 0;
}

herr_t Query(const H5FD_t* /*file*/, unsigned long* flags) {
  *flags = 0;  // above all, no H5FD_FEAT_ACCUMULATE_METADATA
  return 0;
}

haddr_t GetEoa(const H5FD_t* file, H5FD_mem_t /*type*/) { return Cast(file)->eoa; }

herr_t SetEoa(H5FD_t* file, H5FD_mem_t /*type*/, haddr_t addr) {
  Cast(file)->eoa = addr;
  return 0;
}

haddr_t GetEof(const H5FD_t* file, H5FD_mem_t /*type*/) { return Cast(file)->bytes.size(); }

herr_t Read(H5FD_t* file, H5FD_mem_t /*type*/, hid_t /*dxpl*/, haddr_t addr, size_t size,
            void* buffer) {
  const std::string& bytes = Cast(file)->bytes;
  if (addr == HADDR_UNDEF || addr > bytes.size() || size > bytes.size() - addr) return -1;
  std::memcpy(buffer, bytes.data() + addr, size);
  return 0;
}

herr_t Write(H5FD_t*, H5FD_mem_t, hid_t, haddr_t, size_t, const void*) { return -1; }

hid_t DriverId() {
  static const hid_t id = [] {
    static H5FD_class_t cls = {};
    cls.name = "ganserve_memory";
    cls.maxaddr = HADDR_MAX;
    cls.fc_degree = H5F_CLOSE_WEAK;
    cls.fapl_size = sizeof(ImageInfo);
    cls.open = Open;
    cls.close = Close;
    cls.query = Query;
    cls.get_eoa = GetEoa;
    cls.set_eoa = SetEoa;
    cls.get_eof = GetEof;
    cls.read = Read;
    cls.write = Write;
    for (H5FD_mem_t& m : cls.fl_map) m = H5FD_MEM_DEFAULT;
    return H5FDregister(&cls);
  }();
  return id;
}

}  // namespace

absl::Status SetHdf5MemoryDriver(hid_t fapl, const std::string& image) {
  const hid_t driver = DriverId();
  if (driver < 0) return absl::InternalError("cannot register the in-memory HDF5 driver");
  const ImageInfo info{image.data(), image.size()};
  if (H5Pset_driver(fapl, driver, &info) < 0) {
    return absl::InternalError("cannot select the in-memory HDF5 driver");
  }
  return absl::OkStatus();
}

}  // namespace ganserve
