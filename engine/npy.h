// Reads and writes NumPy .npy files as float32 tensors: the exchange format
// for latents, labels and outputs compared against other implementations.
#ifndef GANSERVE_ENGINE_NPY_H_
#define GANSERVE_ENGINE_NPY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/tensor.h"

namespace ganserve {

// Accepts little-endian float32/float64/int32/int64 (converted to float32),
// C order, format versions 1-3. Errors name the file and what is wrong.
absl::StatusOr<Tensor> ReadNpy(const std::string& path);
absl::StatusOr<Tensor> ParseNpy(const std::string& bytes);

// Writes '<f4', C order, format version 1.0.
absl::Status WriteNpy(const std::string& path, const Tensor& tensor);
std::string SerializeNpy(const Tensor& tensor);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_NPY_H_
