// Turns a GeneratedImage from the wire (PNG, raw uint8 or raw float32) into
// 8-bit pixels, checking that its bytes match its stated size.
#ifndef GANSERVE_CLIENT_GENERATED_IMAGE_H_
#define GANSERVE_CLIENT_GENERATED_IMAGE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "engine/png.h"
#include "ganserve/v1/generator.pb.h"

namespace ganserve::client {

// value_min/value_max map raw float32 values to 0..255 (the model's range).
absl::StatusOr<Image8> ToImage8(const ganserve::v1::GeneratedImage& image, float value_min,
                                float value_max);

// The float32 values of a RAW_FLOAT32 image (H*W*C, HWC).
absl::StatusOr<std::vector<float>> RawFloats(const ganserve::v1::GeneratedImage& image);

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_GENERATED_IMAGE_H_
