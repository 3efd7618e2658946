#include "engine/wire/op_codec.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/batch_norm.h"
#include "engine/ops/batched_constant.h"
#include "engine/ops/concatenate.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/dense.h"
#include "engine/ops/elementwise.h"
#include "engine/ops/embedding.h"
#include "engine/ops/group_norm.h"
#include "engine/ops/identity.h"
#include "engine/ops/input.h"
#include "engine/ops/instance_norm.h"
#include "engine/ops/mirror_pad2d.h"
#include "engine/ops/padding2d.h"
#include "engine/ops/reshape.h"
#include "engine/ops/scale_shift.h"
#include "engine/ops/softmax.h"
#include "engine/ops/transpose.h"
#include "engine/ops/upsampling2d.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

using OpPtr = std::shared_ptr<const Op>;
using Decoded = absl::StatusOr<OpPtr>;

struct OpCodec {
  absl::string_view type;
  void (*encode)(const Op& op, WireWriter& out);
  Decoded (*decode)(WireReader& in);
};

template <typename T>
const T& As(const Op& op) {
  return static_cast<const T&>(op);
}

absl::StatusOr<int> SmallInt(WireReader& in, absl::string_view field) {
  GS_ASSIGN_OR_RETURN(int64_t v, in.I64(field));
  if (v < -int64_t{kMaxWireRank} || v > int64_t{kMaxWireRank}) {
    return absl::InvalidArgumentError(absl::StrCat("loader answer: ", field, " is ", v));
  }
  return static_cast<int>(v);
}

void WriteBorders(const Borders& b, WireWriter& out) {
  out.Ints({b.top, b.bottom, b.left, b.right});
}

absl::StatusOr<Borders> ReadBorders(WireReader& in) {
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> v, in.Ints("borders"));
  if (v.size() != 4) return absl::InvalidArgumentError("loader answer: borders need 4 values");
  for (int64_t x : v) {
    if (x < -(int64_t{1} << 30) || x > (int64_t{1} << 30)) {
      return absl::InvalidArgumentError(absl::StrCat("loader answer: border of ", x));
    }
  }
  return Borders{v[0], v[1], v[2], v[3]};
}

void WriteConvAttrs(const ConvAttributes& a, WireWriter& out) {
  out.U32(static_cast<uint32_t>(a.padding));
  out.Ints({a.stride_h, a.stride_w, a.dilation_h, a.dilation_w, a.pad_top, a.pad_bottom, a.pad_left,
            a.pad_right, a.output_padding_h, a.output_padding_w});
}

absl::StatusOr<ConvAttributes> ReadConvAttrs(WireReader& in) {
  ConvAttributes a;
  GS_ASSIGN_OR_RETURN(uint32_t padding,
                      in.Count("conv padding", static_cast<uint32_t>(Padding::kExplicit)));
  a.padding = static_cast<Padding>(padding);
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> v, in.Ints("conv attributes"));
  if (v.size() != 10) return absl::InvalidArgumentError("loader answer: conv needs 10 values");
  for (int64_t x : v) {
    if (x < -(int64_t{1} << 20) || x > (int64_t{1} << 20)) {
      return absl::InvalidArgumentError(absl::StrCat("loader answer: conv attribute of ", x));
    }
  }
  for (int64_t s : {v[0], v[1], v[2], v[3]}) {
    if (s < 1) return absl::InvalidArgumentError("loader answer: conv stride/dilation below 1");
  }
  a.stride_h = v[0], a.stride_w = v[1], a.dilation_h = v[2], a.dilation_w = v[3];
  a.pad_top = v[4], a.pad_bottom = v[5], a.pad_left = v[6], a.pad_right = v[7];
  a.output_padding_h = v[8], a.output_padding_w = v[9];
  return a;
}

template <typename ConvOp>
void EncodeConv(const Op& op, WireWriter& out) {
  const auto& c = As<ConvOp>(op);
  out.TensorField(c.kernel());
  out.OptionalTensor(c.bias());
  WriteConvAttrs(c.attrs(), out);
  out.ActivationField(c.activation());
}

template <typename ConvOp>
Decoded DecodeConv(WireReader& in) {
  GS_ASSIGN_OR_RETURN(Tensor kernel, in.TensorField("conv kernel"));
  GS_ASSIGN_OR_RETURN(std::optional<Tensor> bias, in.OptionalTensor("conv bias"));
  GS_ASSIGN_OR_RETURN(ConvAttributes attrs, ReadConvAttrs(in));
  GS_ASSIGN_OR_RETURN(Activation act, in.ActivationField("conv activation"));
  return OpPtr(std::make_shared<ConvOp>(std::move(kernel), std::move(bias), attrs, act));
}

template <typename NoAttrOp>
Decoded DecodeNoAttr(WireReader&) {
  return OpPtr(std::make_shared<NoAttrOp>());
}

void EncodeNothing(const Op&, WireWriter&) {}

const OpCodec kCodecs[] = {
    {InputOp::kType, [](const Op& op, WireWriter& out) { out.DimsField(As<InputOp>(op).dims()); },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(Dims dims, in.DimsField("input dims"));
       return OpPtr(std::make_shared<InputOp>(std::move(dims)));
     }},
    {DenseOp::kType,
     [](const Op& op, WireWriter& out) {
       const auto& d = As<DenseOp>(op);
       out.TensorField(d.kernel());
       out.OptionalTensor(d.bias());
       out.ActivationField(d.activation());
     },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(Tensor kernel, in.TensorField("dense kernel"));
       GS_ASSIGN_OR_RETURN(std::optional<Tensor> bias, in.OptionalTensor("dense bias"));
       GS_ASSIGN_OR_RETURN(Activation act, in.ActivationField("dense activation"));
       return OpPtr(std::make_shared<DenseOp>(std::move(kernel), std::move(bias), act));
     }},
    {Conv2DOp::kType, EncodeConv<Conv2DOp>, DecodeConv<Conv2DOp>},
    {Conv2DTransposeOp::kType, EncodeConv<Conv2DTransposeOp>, DecodeConv<Conv2DTransposeOp>},
    {BatchNormOp::kType,
     [](const Op& op, WireWriter& out) {
       const auto& b = As<BatchNormOp>(op);
       out.I64(b.axis());
       out.F32(b.epsilon());
       out.OptionalTensor(b.weights().gamma);
       out.OptionalTensor(b.weights().beta);
       out.TensorField(b.weights().moving_mean);
       out.TensorField(b.weights().moving_variance);
     },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(int axis, SmallInt(in, "batch norm axis"));
       GS_ASSIGN_OR_RETURN(float epsilon, in.F32("batch norm epsilon"));
       BatchNormWeights w;
       GS_ASSIGN_OR_RETURN(w.gamma, in.OptionalTensor("batch norm gamma"));
       GS_ASSIGN_OR_RETURN(w.beta, in.OptionalTensor("batch norm beta"));
       GS_ASSIGN_OR_RETURN(w.moving_mean, in.TensorField("batch norm mean"));
       GS_ASSIGN_OR_RETURN(w.moving_variance, in.TensorField("batch norm variance"));
       return OpPtr(std::make_shared<BatchNormOp>(axis, epsilon, std::move(w)));
     }},
    {ActivationOp::kType,
     [](const Op& op, WireWriter& out) { out.ActivationField(As<ActivationOp>(op).activation()); },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(Activation act, in.ActivationField("activation"));
       return OpPtr(std::make_shared<ActivationOp>(act));
     }},
    {ConcatenateOp::kType,
     [](const Op& op, WireWriter& out) { out.I64(As<ConcatenateOp>(op).axis()); },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(int axis, SmallInt(in, "concatenate axis"));
       return OpPtr(std::make_shared<ConcatenateOp>(axis));
     }},
    {ElementwiseOp::kAddType, EncodeNothing,
     [](WireReader&) -> Decoded {
       return OpPtr(std::make_shared<ElementwiseOp>(ElementwiseOp::Kind::kAdd));
     }},
    {ElementwiseOp::kMultiplyType, EncodeNothing,
     [](WireReader&) -> Decoded {
       return OpPtr(std::make_shared<ElementwiseOp>(ElementwiseOp::Kind::kMultiply));
     }},
    {EmbeddingOp::kType,
     [](const Op& op, WireWriter& out) { out.TensorField(As<EmbeddingOp>(op).table()); },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(Tensor table, in.TensorField("embedding table"));
       return OpPtr(std::make_shared<EmbeddingOp>(std::move(table)));
     }},
    {IdentityOp::kType, EncodeNothing, DecodeNoAttr<IdentityOp>},
    {FlattenOp::kType, EncodeNothing, DecodeNoAttr<FlattenOp>},
    {"InstanceNormalization",
     [](const Op& op, WireWriter& out) {
       const auto& n = As<InstanceNormOp>(op);
       out.Bool(n.channels_last());
       out.F32(n.epsilon());
       out.TensorField(n.scale());
       out.TensorField(n.bias());
     },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(bool channels_last, in.Bool("instance norm layout"));
       GS_ASSIGN_OR_RETURN(float epsilon, in.F32("instance norm epsilon"));
       GS_ASSIGN_OR_RETURN(Tensor scale, in.TensorField("instance norm scale"));
       GS_ASSIGN_OR_RETURN(Tensor bias, in.TensorField("instance norm bias"));
       return OpPtr(std::make_shared<InstanceNormOp>(channels_last, epsilon, std::move(scale),
                                                     std::move(bias)));
     }},
    {"GroupNormalization",
     [](const Op& op, WireWriter& out) {
       const auto& n = As<GroupNormOp>(op);
       out.Bool(n.channels_last());
       out.I64(n.groups());
       out.F32(n.epsilon());
       out.OptionalTensor(n.scale());
       out.OptionalTensor(n.bias());
     },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(bool channels_last, in.Bool("group norm layout"));
       GS_ASSIGN_OR_RETURN(int64_t groups, in.I64("group norm groups"));
       GS_ASSIGN_OR_RETURN(float epsilon, in.F32("group norm epsilon"));
       GS_ASSIGN_OR_RETURN(std::optional<Tensor> scale, in.OptionalTensor("group norm scale"));
       GS_ASSIGN_OR_RETURN(std::optional<Tensor> bias, in.OptionalTensor("group norm bias"));
       return OpPtr(std::make_shared<GroupNormOp>(channels_last, groups, epsilon, std::move(scale),
                                                  std::move(bias)));
     }},
    {"ReflectionPad2D",
     [](const Op& op, WireWriter& out) { WriteBorders(As<MirrorPad2DOp>(op).borders(), out); },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(Borders b, ReadBorders(in));
       return OpPtr(std::make_shared<MirrorPad2DOp>(MirrorPad2DOp::Mode::kReflect, b));
     }},
    {"ReplicationPad2D",
     [](const Op& op, WireWriter& out) { WriteBorders(As<MirrorPad2DOp>(op).borders(), out); },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(Borders b, ReadBorders(in));
       return OpPtr(std::make_shared<MirrorPad2DOp>(MirrorPad2DOp::Mode::kEdge, b));
     }},
    {Padding2DOp::kPadType,
     [](const Op& op, WireWriter& out) {
       WriteBorders(As<Padding2DOp>(op).signed_borders(), out);
       out.F32(As<Padding2DOp>(op).fill());
     },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(Borders b, ReadBorders(in));
       GS_ASSIGN_OR_RETURN(float fill, in.F32("padding fill"));
       return OpPtr(std::make_shared<Padding2DOp>(Padding2DOp::ConstantPadding(b, fill)));
     }},
    {Padding2DOp::kCropType,
     [](const Op& op, WireWriter& out) {
       const Borders b = As<Padding2DOp>(op).signed_borders();
       WriteBorders({-b.top, -b.bottom, -b.left, -b.right}, out);
     },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(Borders b, ReadBorders(in));
       return OpPtr(std::make_shared<Padding2DOp>(Padding2DOp::Cropping(b)));
     }},
    {ReshapeOp::kType, [](const Op& op, WireWriter& out) { out.Ints(As<ReshapeOp>(op).target()); },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(std::vector<int64_t> target, in.Ints("reshape target"));
       return OpPtr(std::make_shared<ReshapeOp>(std::move(target)));
     }},
    {ScaleShiftOp::kType,
     [](const Op& op, WireWriter& out) {
       out.TensorField(As<ScaleShiftOp>(op).scale());
       out.TensorField(As<ScaleShiftOp>(op).shift());
       out.I64(As<ScaleShiftOp>(op).trainable());
     },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(Tensor scale, in.TensorField("scale"));
       GS_ASSIGN_OR_RETURN(Tensor shift, in.TensorField("shift"));
       GS_ASSIGN_OR_RETURN(int64_t trainable, in.I64("scale-shift weight count"));
       if (trainable < 0 || trainable > scale.size() + shift.size()) {
         return absl::InvalidArgumentError(absl::StrCat("scale-shift weight count ", trainable,
                                                        " is not within its ",
                                                        scale.size() + shift.size(), " values"));
       }
       return OpPtr(std::make_shared<ScaleShiftOp>(std::move(scale), std::move(shift), trainable));
     }},
    {SoftmaxOp::kType,
     [](const Op& op, WireWriter& out) {
       out.I64(As<SoftmaxOp>(op).axis());
       out.Bool(As<SoftmaxOp>(op).log());
     },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(int axis, SmallInt(in, "softmax axis"));
       GS_ASSIGN_OR_RETURN(bool log, in.Bool("softmax log"));
       return OpPtr(std::make_shared<SoftmaxOp>(axis, log));
     }},
    {TransposeOp::kType,
     [](const Op& op, WireWriter& out) {
       const auto& perm = As<TransposeOp>(op).perm();
       out.Ints(std::vector<int64_t>(perm.begin(), perm.end()));
     },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(std::vector<int64_t> v, in.Ints("transpose permutation"));
       std::vector<int> perm;
       for (int64_t p : v) {
         if (p < 0 || p >= static_cast<int64_t>(v.size())) {
           return absl::InvalidArgumentError("loader answer: transpose axis out of range");
         }
         perm.push_back(static_cast<int>(p));
       }
       return OpPtr(std::make_shared<TransposeOp>(std::move(perm)));
     }},
    {UpSampling2DOp::kType,
     [](const Op& op, WireWriter& out) {
       const auto& u = As<UpSampling2DOp>(op);
       out.Ints({u.size_h(), u.size_w()});
       out.U32(static_cast<uint32_t>(u.interpolation()));
       out.U32(static_cast<uint32_t>(u.mode()));
     },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(std::vector<int64_t> size, in.Ints("upsampling size"));
       if (size.size() != 2 || size[0] < 1 || size[1] < 1 || size[0] > 4096 || size[1] > 4096) {
         return absl::InvalidArgumentError("loader answer: bad upsampling size");
       }
       GS_ASSIGN_OR_RETURN(uint32_t interp, in.Count("upsampling interpolation", 1));
       GS_ASSIGN_OR_RETURN(uint32_t mode, in.Count("upsampling coordinate mode", 2));
       return OpPtr(std::make_shared<UpSampling2DOp>(size[0], size[1],
                                                     static_cast<Interpolation>(interp),
                                                     static_cast<CoordinateMode>(mode)));
     }},
    {"BatchedConstant",
     [](const Op& op, WireWriter& out) { out.TensorField(As<BatchedConstantOp>(op).sample()); },
     [](WireReader& in) -> Decoded {
       GS_ASSIGN_OR_RETURN(Tensor sample, in.TensorField("batched constant"));
       return OpPtr(std::make_shared<BatchedConstantOp>(std::move(sample)));
     }},
};

const OpCodec* Find(absl::string_view type) {
  for (const OpCodec& c : kCodecs) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

}  // namespace

absl::Status EncodeOp(const Op& op, WireWriter& out) {
  const OpCodec* codec = Find(op.Type());
  if (codec == nullptr) {
    return absl::UnimplementedError(absl::StrCat("op ", op.Type(), " has no wire encoding"));
  }
  out.String(op.Type());
  codec->encode(op, out);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const Op>> DecodeOp(WireReader& in) {
  GS_ASSIGN_OR_RETURN(std::string type, in.String("op type"));
  const OpCodec* codec = Find(type);
  if (codec == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("loader answer: unknown op type '", type, "'"));
  }
  return codec->decode(in);
}

}  // namespace ganserve
