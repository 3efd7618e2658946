// "1,16,64" → {1, 16, 64}: the batch-size lists of ganctl bench FILE and the bench tools.
#ifndef GANSERVE_CLIENT_BATCH_LIST_H_
#define GANSERVE_CLIENT_BATCH_LIST_H_

#include <cstdint>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace ganserve {

// Replaces `batches` with the list; false when an entry is not a positive integer.
inline bool ParseBatchList(absl::string_view list, std::vector<int64_t>& batches) {
  batches.clear();
  for (absl::string_view entry : absl::StrSplit(list, ',')) {
    int64_t batch = 0;
    if (!absl::SimpleAtoi(entry, &batch) || batch <= 0) return false;
    batches.push_back(batch);
  }
  return true;
}

}  // namespace ganserve

#endif  // GANSERVE_CLIENT_BATCH_LIST_H_
