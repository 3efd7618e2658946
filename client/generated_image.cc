#include "client/generated_image.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace ganserve::client {

using ganserve::v1::GeneratedImage;

absl::StatusOr<std::vector<float>> RawFloats(const GeneratedImage& image) {
  const size_t count = size_t{image.height()} * image.width() * image.channels();
  if (image.format() != ganserve::v1::IMAGE_FORMAT_RAW_FLOAT32 ||
      image.data().size() != count * 4) {
    return absl::DataLossError(absl::StrCat("image ", image.index(), ": expected ", count * 4,
                                            " bytes of raw float32, got ", image.data().size()));
  }
  std::vector<float> values(count);
  std::memcpy(values.data(), image.data().data(), count * 4);
  return values;
}

absl::StatusOr<Image8> ToImage8(const GeneratedImage& image, float value_min, float value_max) {
  Image8 out{image.height(), image.width(), image.channels(), {}};
  const size_t count = size_t{image.height()} * image.width() * image.channels();
  switch (image.format()) {
    case ganserve::v1::IMAGE_FORMAT_UNSPECIFIED:
    case ganserve::v1::IMAGE_FORMAT_PNG: {
      GS_ASSIGN_OR_RETURN(out, DecodePng(image.data()));
      if (out.height != image.height() || out.width != image.width() ||
          out.channels != image.channels()) {
        return absl::DataLossError(absl::StrCat(
            "image ", image.index(), ": PNG is ", out.height, "x", out.width, "x", out.channels,
            " but the message says ", image.height(), "x", image.width(), "x", image.channels()));
      }
      return out;
    }
    case ganserve::v1::IMAGE_FORMAT_RAW_UINT8:
      if (image.data().size() != count) {
        return absl::DataLossError(absl::StrCat("image ", image.index(), ": expected ", count,
                                                " bytes of raw uint8, got ", image.data().size()));
      }
      out.pixels.assign(image.data().begin(), image.data().end());
      return out;
    case ganserve::v1::IMAGE_FORMAT_RAW_FLOAT32: {
      GS_ASSIGN_OR_RETURN(std::vector<float> values, RawFloats(image));
      if (!(value_max > value_min)) value_min = -1, value_max = 1;
      out.pixels = ToUint8(values, value_min, value_max);
      return out;
    }
    default:
      return absl::DataLossError(
          absl::StrCat("image ", image.index(), ": unknown format ", image.format()));
  }
}

}  // namespace ganserve::client
