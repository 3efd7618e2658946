#include "server/inference_outputs.h"

#include <bit>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

static_assert(std::endian::native == std::endian::little,
              "output tensors copy host floats as the protocol's little-endian bytes");

void AppendFloats(const std::vector<float>& values, std::string& data) {
  data.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
}

// H, W, C → C, H, W.
std::vector<float> ChannelsFirst(const LoadedGenerator& g, const std::vector<float>& hwc) {
  std::vector<float> chw(hwc.size());
  const int64_t plane = g.height() * g.width();
  for (int64_t p = 0; p < plane; ++p) {
    for (int64_t c = 0; c < g.channels(); ++c) chw[c * plane + p] = hwc[p * g.channels() + c];
  }
  return chw;
}

}  // namespace

InferTensorMetadata DescribeOutput(const LoadedGenerator& g, InferOutputKind kind, int64_t count) {
  switch (kind) {
    case InferOutputKind::kImage:
      return {kImageOutput, "FP32",
              g.channels_first()
                  ? std::vector<int64_t>{count, g.channels(), g.height(), g.width()}
                  : std::vector<int64_t>{count, g.height(), g.width(), g.channels()}};
    case InferOutputKind::kImageUint8:
      return {kImageUint8Output, "UINT8", {count, g.height(), g.width(), g.channels()}};
    case InferOutputKind::kPng:
      break;
  }
  return {kPngOutput, "BYTES", {count}};
}

std::vector<InferTensorMetadata> DescribeInputs(const LoadedGenerator& g) {
  std::vector<InferTensorMetadata> inputs = {{kLatentInput, "FP32", {kAnySize, g.latent_size()}}};
  if (g.conditional()) inputs.push_back({kLabelInput, "INT32", {kAnySize}});
  return inputs;
}

std::vector<InferTensorMetadata> DescribeOutputs(const LoadedGenerator& g) {
  return {DescribeOutput(g, InferOutputKind::kImage, kAnySize),
          DescribeOutput(g, InferOutputKind::kImageUint8, kAnySize),
          DescribeOutput(g, InferOutputKind::kPng, kAnySize)};
}

InferOutputs::InferOutputs(const LoadedGenerator& generator, const InferPlan& plan)
    : generator_(generator), encoding_(plan.encoding), kinds_(plan.outputs) {
  for (InferOutputKind kind : kinds_) {
    InferOutput output;
    static_cast<InferTensorMetadata&>(output) = DescribeOutput(generator, kind, plan.work.count);
    outputs_.push_back(std::move(output));
  }
}

absl::Status InferOutputs::Add(const EncodedImage& image) {
  if (encoding_ != ImageEncoding::kRawFloat32) {  // the one output, encoded by the run
    InferOutput& output = outputs_.front();
    if (encoding_ == ImageEncoding::kPng) {
      output.elements.push_back(image.data);
    } else {
      output.data.append(image.data);
    }
    return absl::OkStatus();
  }
  std::vector<float> pixels(generator_.image_size());
  if (image.data.size() != pixels.size() * sizeof(float)) {
    return absl::InternalError(absl::StrCat("image ", image.index, " has ", image.data.size(),
                                            " bytes, expected ", pixels.size() * sizeof(float)));
  }
  std::memcpy(pixels.data(), image.data.data(), image.data.size());
  for (size_t i = 0; i < kinds_.size(); ++i) {
    InferOutput& output = outputs_[i];
    switch (kinds_[i]) {
      case InferOutputKind::kImage:
        AppendFloats(generator_.channels_first() ? ChannelsFirst(generator_, pixels) : pixels,
                     output.data);
        break;
      case InferOutputKind::kImageUint8: {
        GS_ASSIGN_OR_RETURN(std::string bytes,
                            EncodeImage(generator_, pixels.data(), ImageEncoding::kRawUint8));
        output.data.append(bytes);
        break;
      }
      case InferOutputKind::kPng: {
        GS_ASSIGN_OR_RETURN(std::string png,
                            EncodeImage(generator_, pixels.data(), ImageEncoding::kPng));
        output.elements.push_back(std::move(png));
        break;
      }
    }
  }
  return absl::OkStatus();
}

std::vector<InferOutput> InferOutputs::Take() { return std::move(outputs_); }

}  // namespace ganserve
