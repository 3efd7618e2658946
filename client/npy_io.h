// NumPy .npy files: reading N-D arrays of float32/float64/int32/int64 (as
// floats) and writing float32, so latents and outputs can be exchanged with
// numpy, torch or Keras scripts.
#ifndef GANSERVE_CLIENT_NPY_IO_H_
#define GANSERVE_CLIENT_NPY_IO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ganserve::client {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> values;  // C order
};

absl::StatusOr<NpyArray> ParseNpy(const std::string& bytes);
absl::StatusOr<NpyArray> ReadNpy(const std::string& path);
std::string SerializeNpy(const NpyArray& array);  // little-endian float32, version 1.0
absl::Status WriteNpy(const std::string& path, const NpyArray& array);

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_NPY_IO_H_
