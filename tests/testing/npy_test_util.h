// What the ONNX suites compare with: .npy files through the engine's own
// codec (engine/npy.h), and the relative error between two tensors.
#ifndef GANSERVE_TESTS_TESTING_NPY_TEST_UTIL_H_
#define GANSERVE_TESTS_TESTING_NPY_TEST_UTIL_H_

#include "engine/npy.h"
#include "engine/tensor.h"

namespace ganserve {

// ||a - b|| / ||b||, or infinity when the shapes differ.
double RelativeError(const Tensor& a, const Tensor& b);

}  // namespace ganserve

#endif  // GANSERVE_TESTS_TESTING_NPY_TEST_UTIL_H_
