// A small .npy reader/writer for tests: little-endian float32, float64 and
// int64 arrays in C order, read as float32 Tensors.
#ifndef GANSERVE_TESTS_ENGINE_NPY_TEST_UTIL_H_
#define GANSERVE_TESTS_ENGINE_NPY_TEST_UTIL_H_

#include <string>

#include "absl/status/statusor.h"
#include "engine/tensor.h"

namespace ganserve {

absl::StatusOr<Tensor> ReadNpy(const std::string& path);
absl::Status WriteNpy(const std::string& path, const Tensor& tensor);

// ||a - b|| / ||b||, or infinity when the shapes differ.
double RelativeError(const Tensor& a, const Tensor& b);

}  // namespace ganserve

#endif  // GANSERVE_TESTS_ENGINE_NPY_TEST_UTIL_H_
