// A read-only HDF5 virtual file driver over a byte string in memory.
//
// libhdf5 1.10's own in-memory (core) driver asks for the metadata
// accumulator, whose read path trusts addresses decoded from the file: an
// undefined or huge child address in a corrupt B-tree makes it memcpy far
// outside its buffer (found by tests/fuzz/keras_fuzz). This driver declares
// no accumulation, so every read reaches its own bounds check and a bad
// address becomes an HDF5 error instead of a crash.
#ifndef GANSERVE_ENGINE_LOADERS_HDF5_MEMORY_DRIVER_H_
#define GANSERVE_ENGINE_LOADERS_HDF5_MEMORY_DRIVER_H_

#include <hdf5.h>

#include <string>

#include "absl/status/status.h"

namespace ganserve {

// Makes `fapl` open files from a copy of `image` (the name passed to
// H5Fopen is then ignored).
absl::Status SetHdf5MemoryDriver(hid_t fapl, const std::string& image);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_HDF5_MEMORY_DRIVER_H_
