#include "kernels/ref/gather.h"

#include <algorithm>
#include <cstring>

namespace lithe::ref {

template <class Index>
void Gather(const GatherGeometry& g, const float* params, const Index* indices, float* out) {
  const size_t row_bytes = static_cast<size_t>(g.inner) * sizeof(float);
  for (int64_t b = 0; b < g.batch; ++b) {
    const Index* idx = indices + b * g.coords;
    for (int64_t o = 0; o < g.outer; ++o) {
      const float* src = params + (b * g.outer + o) * g.axis_size * g.inner;
      float* dst = out + (b * g.outer + o) * g.coords * g.inner;
      for (int64_t i = 0; i < g.coords; ++i) {
        const int64_t k = static_cast<int64_t>(idx[i]);
        if (k >= 0 && k < g.axis_size) {
          if (row_bytes > 0) std::memcpy(dst + i * g.inner, src + k * g.inner, row_bytes);
        } else {
          std::fill(dst + i * g.inner, dst + (i + 1) * g.inner, 0.f);
        }
      }
    }
  }
}

template void Gather<int32_t>(const GatherGeometry&, const float*, const int32_t*, float*);
template void Gather<int64_t>(const GatherGeometry&, const float*, const int64_t*, float*);

}  // namespace lithe::ref
