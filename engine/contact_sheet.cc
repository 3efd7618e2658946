#include "engine/contact_sheet.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Image8> MakeContactSheet(const std::vector<std::vector<Image8>>& rows, int gutter,
                                        int scale) {
  if (scale < 1) return absl::InvalidArgumentError(absl::StrCat("scale must be >= 1, got ", scale));
  const Image8* first = nullptr;
  size_t columns = 0;
  for (const auto& row : rows) {
    columns = std::max(columns, row.size());
    for (const Image8& image : row) {
      if (!first) first = &image;
      if (image.height != first->height || image.width != first->width ||
          image.channels != first->channels) {
        return absl::InvalidArgumentError(absl::StrCat(
            "contact sheet tiles differ in size: ", first->height, "x", first->width, "x",
            first->channels, " and ", image.height, "x", image.width, "x", image.channels));
      }
    }
  }
  if (!first) return absl::InvalidArgumentError("contact sheet has no images");
  Image8 sheet;
  sheet.channels = first->channels;
  const int64_t tile_h = first->height * scale, tile_w = first->width * scale;
  const int64_t channels = first->channels;
  sheet.height = static_cast<int64_t>(rows.size()) * (tile_h + gutter) + gutter;
  sheet.width = static_cast<int64_t>(columns) * (tile_w + gutter) + gutter;
  sheet.pixels.assign(sheet.height * sheet.width * channels, 128);
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const Image8& tile = rows[r][c];
      const int64_t top = gutter + r * (tile_h + gutter), left = gutter + c * (tile_w + gutter);
      for (int64_t y = 0; y < tile_h; ++y) {
        const uint8_t* src = tile.pixels.data() + (y / scale) * tile.width * channels;
        uint8_t* dst = sheet.pixels.data() + ((top + y) * sheet.width + left) * channels;
        for (int64_t x = 0; x < tile_w; ++x) {
          std::copy_n(src + (x / scale) * channels, channels, dst + x * channels);
        }
      }
    }
  }
  return sheet;
}

int AutoSheetScale(int64_t tile_height, int64_t tile_width) {
  constexpr int64_t kReadableSide = 100;
  const int64_t side = std::max<int64_t>(1, std::max(tile_height, tile_width));
  return static_cast<int>(std::max<int64_t>(1, (kReadableSide + side - 1) / side));
}

std::vector<std::vector<Image8>> ToRows(std::vector<Image8> images, int columns) {
  std::vector<std::vector<Image8>> rows;
  for (size_t i = 0; i < images.size(); ++i) {
    if (i % columns == 0) rows.emplace_back();
    rows.back().push_back(std::move(images[i]));
  }
  return rows;
}

}  // namespace ganserve
