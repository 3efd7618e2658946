// What generate and render write: one PNG per image, named by seed, index
// and class, and/or a contact sheet; plus class resolution by number or name.
#ifndef GANSERVE_CLIENT_IMAGE_FILES_H_
#define GANSERVE_CLIENT_IMAGE_FILES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/png.h"

namespace ganserve::client {

// The classes of a model as a user names them on the command line.
struct ClassNames {
  std::string model;               // for error messages
  int64_t count = 0;               // 0: unconditional
  std::vector<std::string> names;  // may be shorter than count (unnamed classes)
};

// "3" or "t-shirt" → 3; an error naming the model's classes otherwise.
absl::StatusOr<int> ResolveLabel(const std::string& text, const ClassNames& classes);
// The name used in file names and row captions ("label3" when unnamed).
std::string LabelText(int label, const ClassNames& classes);

// `<dir>/<prefix><index:04>[_<label>]` without extension; a "/" in the label becomes "-".
std::string ImageStem(const std::string& dir, const std::string& prefix, int64_t index,
                      const std::string& label);

absl::Status WriteFile(const std::string& path, const std::string& bytes);

// Encodes `rows` as a contact sheet PNG at `path` and says so on stdout.
// `scale` enlarges each tile (nearest neighbour); 0 picks AutoSheetScale.
absl::Status WriteContactSheet(const std::string& path,
                               const std::vector<std::vector<Image8>>& rows, int64_t scale);

// The `--scale` flag of generate and render, and its check (empty: valid).
constexpr char kScaleHelp[] =
    "enlarge each contact sheet tile K times, nearest neighbour (0: to about 100 px a side, "
    "so 28x28 tiles are 4x)";
std::string CheckScale(int64_t scale);

// `--out PATH`: a PATH ending in .png (any case) names a contact sheet, as in
// `-o grid.png`, and is moved to `grid`; any other PATH stays a folder for
// one file per image. InvalidArgument when --grid names a sheet too.
absl::Status SheetFromOutPath(std::string& out, std::string& grid);

// Columns of a sheet of `count` images: `columns` if > 0, else square.
int SheetColumns(int64_t columns, size_t count);

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_IMAGE_FILES_H_
