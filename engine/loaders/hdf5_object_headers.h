// Pre-validation of HDF5 object headers before libhdf5 parses a file.
//
// libhdf5 1.10 allocates an object header's continuation chunk with the
// length stored in the file before reading it, so a corrupt length becomes a
// multi-exabyte malloc (found by tests/fuzz/keras_fuzz). CheckObjectHeaders
// visits the object headers libhdf5 can reach (the root group, every entry
// of every group symbol node, hard links, version-2 headers) and refuses any
// chunk that does not lie inside the file.
#ifndef GANSERVE_ENGINE_LOADERS_HDF5_OBJECT_HEADERS_H_
#define GANSERVE_ENGINE_LOADERS_HDF5_OBJECT_HEADERS_H_

#include <string>

#include "absl/status/status.h"

namespace ganserve {

// `image` is a whole HDF5 file whose superblock is at offset 0.
absl::Status CheckObjectHeaders(const std::string& image);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_HDF5_OBJECT_HEADERS_H_
