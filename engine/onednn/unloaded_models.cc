#include "engine/onednn/unloaded_models.h"

#include <malloc.h>

#include "dnnl.hpp"

namespace ganserve {

void ReleaseUnloadedModelMemory() {
  // Lowering the capacity evicts the entries above it; the served models'
  // primitives live on in their plans.
  const int capacity = dnnl::get_primitive_cache_capacity();
  dnnl::set_primitive_cache_capacity(0);
  dnnl::set_primitive_cache_capacity(capacity);
  malloc_trim(0);
}

}  // namespace ganserve
