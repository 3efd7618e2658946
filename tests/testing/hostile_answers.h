// Loader answers a hostile child could write, built from a real model's wire
// form, as files for misbehaving_loader (its "answer" mode hands the bytes
// after the first line back to the server).
#ifndef GANSERVE_TESTS_TESTING_HOSTILE_ANSWERS_H_
#define GANSERVE_TESTS_TESTING_HOSTILE_ANSWERS_H_

#include <string>

namespace ganserve::testing {

// The op type the answer's Dense layers are given instead: a NUL and a
// line break inside, as a fuzzed window of 0x00 leaves one; as long as
// "Dense", so the answer's lengths still add up.
inline constexpr char kControlBytesOpType[] = "D\0\nse";
inline constexpr char kControlBytesOpTypeInOneLine[] = "D  se";

// A misbehaving_loader file whose answer is UnconditionalModel's wire form
// with its "Dense" op types overwritten by kControlBytesOpType.
std::string AnswerWithControlBytesInAnOpType();

}  // namespace ganserve::testing

#endif  // GANSERVE_TESTS_TESTING_HOSTILE_ANSWERS_H_
