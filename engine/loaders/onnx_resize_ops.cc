// Resize (opset 10+) and Upsample (opset 7-9) with integer factors on H and
// W, as UpSampling2D. Nearest is accepted only where the file's coordinate
// and rounding modes amount to pixel repetition, checked pixel by pixel.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "engine/loaders/onnx_op_table.h"
#include "engine/ops/upsampling2d.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

absl::Status Unsupported(const onnx::NodeProto& node, const std::string& why) {
  return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": ", why));
}

// Source coordinate of output pixel `dst` (ONNX coordinate_transformation_mode).
absl::StatusOr<double> SourceCoordinate(const std::string& mode, int64_t dst, int64_t in,
                                        int64_t out) {
  const double scale = static_cast<double>(out) / in;
  if (mode == "half_pixel") return (dst + 0.5) / scale - 0.5;
  if (mode == "pytorch_half_pixel") return out > 1 ? (dst + 0.5) / scale - 0.5 : 0.0;
  if (mode == "asymmetric") return dst / scale;
  if (mode == "tf_half_pixel_for_nn") return (dst + 0.5) / scale;
  if (mode == "align_corners") return out > 1 ? dst * (in - 1.0) / (out - 1.0) : 0.0;
  return absl::UnimplementedError(absl::StrCat("coordinate_transformation_mode ", mode));
}

absl::StatusOr<int64_t> Round(const std::string& nearest_mode, double x) {
  if (nearest_mode == "round_prefer_floor") {
    return static_cast<int64_t>(x == std::floor(x) + 0.5 ? std::floor(x) : std::round(x));
  }
  if (nearest_mode == "round_prefer_ceil") return static_cast<int64_t>(std::round(x));
  if (nearest_mode == "floor") return static_cast<int64_t>(std::floor(x));
  if (nearest_mode == "ceil") return static_cast<int64_t>(std::ceil(x));
  return absl::UnimplementedError(absl::StrCat("nearest_mode ", nearest_mode));
}

// Whether nearest sampling with these modes repeats each input pixel `factor` times.
absl::StatusOr<bool> IsPixelRepetition(const std::string& coord, const std::string& nearest,
                                       int64_t in, int64_t factor) {
  const int64_t out = in * factor;
  for (int64_t dst = 0; dst < out; ++dst) {
    GS_ASSIGN_OR_RETURN(double src, SourceCoordinate(coord, dst, in, out));
    GS_ASSIGN_OR_RETURN(int64_t i, Round(nearest, src));
    i = std::clamp<int64_t>(i, 0, in - 1);
    if (i != dst / factor) return false;
  }
  return true;
}

absl::StatusOr<int64_t> IntegerFactor(const onnx::NodeProto& node, double f) {
  if (!(f >= 1.0) || f != std::floor(f) || f > 1024) {
    return Unsupported(node, absl::StrCat("scale ", f, " is not a positive integer factor"));
  }
  return static_cast<int64_t>(f);
}

}  // namespace

absl::Status TranslateResize(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue x, ctx.ValueInput(node, 0));
  if (x.onnx_dims.size() != 3) return Unsupported(node, "only 4-D (N, C, H, W) inputs");
  const bool upsample = node.op_type() == "Upsample";
  Attributes attrs(node);
  GS_ASSIGN_OR_RETURN(std::string mode, attrs.String("mode", "nearest"));
  // Opset 10 Resize and Upsample have no coordinate mode: asymmetric, floor.
  const bool legacy = upsample || ctx.opset() < 11;
  GS_ASSIGN_OR_RETURN(std::string coord, attrs.String("coordinate_transformation_mode",
                                                      legacy ? "asymmetric" : "half_pixel"));
  GS_ASSIGN_OR_RETURN(std::string nearest_mode,
                      attrs.String("nearest_mode", legacy ? "floor" : "round_prefer_floor"));
  std::vector<double> scales;
  const int scales_input = upsample || ctx.opset() < 11 ? 1 : 2;
  if (upsample && ctx.opset() < 9) {
    GS_ASSIGN_OR_RETURN(auto f, attrs.Floats("scales", {}));
    scales.assign(f.begin(), f.end());
  } else if (OnnxContext::HasInput(node, scales_input) &&
             ctx.FindConst(node.input(scales_input)) != nullptr &&
             ctx.FindConst(node.input(scales_input))->size() > 0) {
    scales = ctx.FindConst(node.input(scales_input))->values;
  } else if (!upsample && OnnxContext::HasInput(node, 3)) {
    GS_ASSIGN_OR_RETURN(const ConstTensor* sizes, ctx.ConstInput(node, 3));
    if (sizes->size() != 4) return Unsupported(node, "sizes must have 4 entries");
    scales = {1.0, static_cast<double>(sizes->values[1]) / x.onnx_dims[0],
              static_cast<double>(sizes->values[2]) / x.onnx_dims[1],
              static_cast<double>(sizes->values[3]) / x.onnx_dims[2]};
  } else {
    return Unsupported(node, "scales or sizes must be constants known at load time");
  }
  if (scales.size() != 4) return Unsupported(node, "scales must have 4 entries");
  if (scales[1] != 1.0) return Unsupported(node, "resizes the channel axis");
  GS_ASSIGN_OR_RETURN(int64_t fh, IntegerFactor(node, scales[2]));
  GS_ASSIGN_OR_RETURN(int64_t fw, IntegerFactor(node, scales[3]));
  Interpolation interp;
  CoordinateMode cm = CoordinateMode::kHalfPixel;
  if (mode == "nearest") {
    interp = Interpolation::kNearest;
    for (auto [in, f] : {std::pair{x.onnx_dims[1], fh}, std::pair{x.onnx_dims[2], fw}}) {
      auto ok = IsPixelRepetition(coord, nearest_mode, in, f);
      if (!ok.ok()) return Unsupported(node, std::string(ok.status().message()));
      if (!*ok) {
        return Unsupported(node, absl::StrCat("nearest with ", coord, " and ", nearest_mode,
                                              " is not pixel repetition for factor ", f));
      }
    }
  } else if (mode == "linear" || mode == "bilinear") {
    interp = Interpolation::kBilinear;
    if (coord == "half_pixel" || coord == "pytorch_half_pixel") {
      cm = CoordinateMode::kHalfPixel;
    } else if (coord == "asymmetric") {
      cm = CoordinateMode::kAsymmetric;
    } else if (coord == "align_corners") {
      cm = CoordinateMode::kAlignCorners;
    } else {
      return Unsupported(node, absl::StrCat("linear with coordinate_transformation_mode ", coord));
    }
  } else {
    return Unsupported(node, absl::StrCat("mode ", mode));
  }
  GS_ASSIGN_OR_RETURN(int src, ctx.InLayout(x, OnnxValueLayout::kChannelsLast));
  GS_ASSIGN_OR_RETURN(int n,
                      ctx.AddNode(NodeName(node), node.op_type(),
                                  std::make_shared<UpSampling2DOp>(fh, fw, interp, cm), {src}));
  return ctx.Define(node.output(0), n, {x.onnx_dims[0], x.onnx_dims[1] * fh, x.onnx_dims[2] * fw},
                    OnnxValueLayout::kChannelsLast);
}

}  // namespace ganserve
