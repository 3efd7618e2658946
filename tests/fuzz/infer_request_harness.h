// What the ModelInfer fuzz target and its corpus test do with one input:
// parse it as an inference.ModelInferRequest, decode it, plan it against a
// conditional and an unconditional test model, and for a small plan run the
// model and encode the outputs both ways. Any input must end in a status.
#ifndef GANSERVE_TESTS_FUZZ_INFER_REQUEST_HARNESS_H_
#define GANSERVE_TESTS_FUZZ_INFER_REQUEST_HARNESS_H_

#include <string>

namespace ganserve::testing {

// Returns whether some model accepted the request.
bool DecodePlanAndAnswer(const std::string& bytes);

}  // namespace ganserve::testing

#endif  // GANSERVE_TESTS_FUZZ_INFER_REQUEST_HARNESS_H_
