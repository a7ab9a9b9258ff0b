#include "kernels/ref/reduce.h"

namespace lithe::ref {

void MakeReducePlan(const Shape& in, const bool reduced[kMaxRank], ReducePlan* plan) {
  const int rank = in.rank();
  ReducePlan p;
  // Each input dim's stride in the output (0 for reduced dims).
  int64_t out_stride = 1;
  int64_t strides[kMaxRank] = {};
  for (int d = rank - 1; d >= 0; --d) {
    strides[d] = reduced[d] ? 0 : out_stride;
    if (!reduced[d]) out_stride *= in[d];
    if (reduced[d]) p.count *= in[d];
  }
  for (int d = 0; d < rank; ++d) {
    if (in[d] == 1) continue;
    if (p.rank > 0 && (strides[d] == 0) == (p.out_stride[p.rank - 1] == 0)) {
      p.dims[p.rank - 1] *= in[d];
      p.out_stride[p.rank - 1] = strides[d];
      continue;
    }
    p.dims[p.rank] = in[d];
    p.out_stride[p.rank] = strides[d];
    ++p.rank;
  }
  *plan = p;
}

}  // namespace lithe::ref
