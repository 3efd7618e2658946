#include "client/contact_sheet.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ganserve::client {

absl::StatusOr<Image8> MakeContactSheet(const std::vector<std::vector<Image8>>& rows, int gutter) {
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
  sheet.height = static_cast<int64_t>(rows.size()) * (first->height + gutter) + gutter;
  sheet.width = static_cast<int64_t>(columns) * (first->width + gutter) + gutter;
  sheet.pixels.assign(sheet.height * sheet.width * sheet.channels, 128);
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const Image8& tile = rows[r][c];
      const int64_t top = gutter + r * (tile.height + gutter),
                    left = gutter + c * (tile.width + gutter);
      for (int64_t y = 0; y < tile.height; ++y) {
        std::copy_n(tile.pixels.begin() + y * tile.width * tile.channels,
                    tile.width * tile.channels,
                    sheet.pixels.begin() + ((top + y) * sheet.width + left) * sheet.channels);
      }
    }
  }
  return sheet;
}

std::vector<std::vector<Image8>> ToRows(std::vector<Image8> images, int columns) {
  std::vector<std::vector<Image8>> rows;
  for (size_t i = 0; i < images.size(); ++i) {
    if (i % columns == 0) rows.emplace_back();
    rows.back().push_back(std::move(images[i]));
  }
  return rows;
}

}  // namespace ganserve::client
