#include "tests/testing/hostile_answers.h"

#include <cstdlib>

#include "engine/wire/model_codec.h"
#include "tests/testing/test_models.h"

namespace ganserve::testing {

std::string AnswerWithControlBytesInAnOpType() {
  std::string answer = EncodeLoadedModel(UnconditionalModel(1)).value();
  // Every "Dense": the node's class name comes first and may read the same.
  const std::string hostile(kControlBytesOpType, sizeof kControlBytesOpType - 1);
  size_t at = answer.find("Dense");
  if (at == std::string::npos) std::abort();  // the wire form changed: fix this helper
  for (; at != std::string::npos; at = answer.find("Dense", at))
    answer.replace(at, hostile.size(), hostile);
  return "misbehave answer\n" + answer;
}

}  // namespace ganserve::testing
