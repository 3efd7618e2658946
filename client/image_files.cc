#include "client/image_files.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/contact_sheet.h"
#include "engine/status_macros.h"

namespace ganserve::client {

absl::StatusOr<int> ResolveLabel(const std::string& text, const ClassNames& classes) {
  int label;
  if (absl::SimpleAtoi(text, &label)) {
    if (classes.count > 0 && (label < 0 || label >= static_cast<int>(classes.count))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--label ", label, " is out of range: model has ", classes.count, " classes"));
    }
    return label;
  }
  for (size_t i = 0; i < classes.names.size(); ++i) {
    if (classes.names[i] == text) return static_cast<int>(i);
  }
  return absl::InvalidArgumentError(absl::StrCat("--label '", text, "' is not a class of model '",
                                                 classes.model,
                                                 "'; names: ", absl::StrJoin(classes.names, ", ")));
}

std::string LabelText(int label, const ClassNames& classes) {
  if (label < 0) return "";
  return label < static_cast<int>(classes.names.size()) ? classes.names[label]
                                                        : absl::StrCat("label", label);
}

std::string ImageStem(const std::string& dir, const std::string& prefix, int64_t index,
                      const std::string& label) {
  // A class name is the model's text ("T-shirt/top"): a '/' in it would
  // name a folder that does not exist.
  std::string name = label;
  std::replace(name.begin(), name.end(), '/', '-');
  return absl::StrFormat("%s/%s%04d%s", dir, prefix, index, name.empty() ? "" : "_" + name);
}

absl::Status WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), bytes.size());
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write '", path, "'"));
  return absl::OkStatus();
}

absl::Status WriteContactSheet(const std::string& path,
                               const std::vector<std::vector<Image8>>& rows, int64_t scale) {
  int k = static_cast<int>(scale);
  if (k == 0) {
    for (const auto& row : rows) {
      if (!row.empty()) {
        k = AutoSheetScale(row[0].height, row[0].width);
        break;
      }
    }
  }
  GS_ASSIGN_OR_RETURN(Image8 sheet, MakeContactSheet(rows, /*gutter=*/2, std::max(k, 1)));
  GS_ASSIGN_OR_RETURN(std::string png, EncodePng(sheet));
  GS_RETURN_IF_ERROR(WriteFile(path, png));
  std::cout << "wrote " << path << " (" << sheet.width << "x" << sheet.height << ")\n";
  return absl::OkStatus();
}

std::string CheckScale(int64_t scale) {
  if (scale >= 0 && scale <= 32) return "";
  return absl::StrCat("--scale must be 0 (auto) to 32, got ", scale);
}

absl::Status SheetFromOutPath(std::string& out, std::string& grid) {
  const bool png_path = absl::EndsWithIgnoreCase(out, ".png");
  if (!png_path) return absl::OkStatus();
  if (!grid.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--out ", out, " is a contact sheet, and so is --grid ", grid, ": give one of them"));
  }
  grid = std::move(out);
  out.clear();
  return absl::OkStatus();
}

int SheetColumns(int64_t columns, size_t count) {
  return columns > 0 ? static_cast<int>(columns)
                     : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count))));
}

}  // namespace ganserve::client
