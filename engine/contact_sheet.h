// Lays images out as a contact sheet: one row per list, same-size tiles
// separated by a grey gutter.
#ifndef GANSERVE_ENGINE_CONTACT_SHEET_H_
#define GANSERVE_ENGINE_CONTACT_SHEET_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/png.h"

namespace ganserve {

// Rows may have different lengths; every image must share one size. Each tile
// is enlarged `scale` times (nearest neighbour); the gutter is not.
absl::StatusOr<Image8> MakeContactSheet(const std::vector<std::vector<Image8>>& rows,
                                        int gutter = 2, int scale = 1);

// `--scale 0` (the default): tiles are enlarged to about 100 pixels a side,
// so a sheet of 28x28 Fashion-MNIST images is 4x and a 128x128 one stays 1x.
int AutoSheetScale(int64_t tile_height, int64_t tile_width);

// Splits a flat list into rows of `columns` (the last may be short).
std::vector<std::vector<Image8>> ToRows(std::vector<Image8> images, int columns);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_CONTACT_SHEET_H_
