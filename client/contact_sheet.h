// Lays images out as a contact sheet: one row per list, same-size tiles
// separated by a grey gutter.
#ifndef GANSERVE_CLIENT_CONTACT_SHEET_H_
#define GANSERVE_CLIENT_CONTACT_SHEET_H_

#include <vector>

#include "absl/status/statusor.h"
#include "engine/png.h"

namespace ganserve::client {

// Rows may have different lengths; every image must share one size.
absl::StatusOr<Image8> MakeContactSheet(const std::vector<std::vector<Image8>>& rows,
                                        int gutter = 2);

// Splits a flat list into rows of `columns` (the last may be short).
std::vector<std::vector<Image8>> ToRows(std::vector<Image8> images, int columns);

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_CONTACT_SHEET_H_
