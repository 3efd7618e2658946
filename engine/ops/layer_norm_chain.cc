#include "engine/ops/layer_norm_chain.h"

#include "engine/ops/group_norm.h"
#include "engine/ops/reshape.h"
#include "engine/ops/scale_shift.h"

namespace ganserve {

LayerNormChain MakeLayerNormChain(int64_t leading, int64_t normalized, float epsilon, Tensor scale,
                                  Tensor shift, int64_t trainable) {
  return {std::make_shared<ReshapeOp>(Dims{leading, normalized}),
          std::make_shared<GroupNormOp>(false, leading, epsilon, std::nullopt, std::nullopt),
          std::make_shared<ScaleShiftOp>(std::move(scale), std::move(shift), trainable)};
}

}  // namespace ganserve
