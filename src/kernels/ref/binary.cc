#include "kernels/ref/binary.h"

namespace lithe::ref {

int64_t BroadcastPlan::rows() const {
  int64_t r = 1;
  for (int d = 0; d + 1 < rank; ++d) r *= dims[d];
  return r;
}

int64_t BinaryTaskCount(const BroadcastPlan& p) {
  const int64_t total = p.rows() * p.inner();
  if (total == 0) return 0;
  if (total < kBinaryParallelMinElements) return 1;
  if (p.rank == 1) return (total + kBinaryBlock - 1) / kBinaryBlock;
  return p.rows();
}

void MakeBroadcastPlan(const Shape& a, const Shape& b, const Shape& out, BroadcastPlan* plan) {
  // Strides of each operand read at the output's shape (0 along broadcast dims).
  int64_t sa[kMaxRank], sb[kMaxRank];
  const int rank = out.rank();
  {
    int64_t s = 1;
    for (int i = rank - 1; i >= 0; --i) {
      const int ia = a.rank() - rank + i;
      const int64_t d = ia >= 0 ? a[ia] : 1;
      sa[i] = (d == 1 && out[i] != 1) ? 0 : s;
      s *= d;
    }
    s = 1;
    for (int i = rank - 1; i >= 0; --i) {
      const int ib = b.rank() - rank + i;
      const int64_t d = ib >= 0 ? b[ib] : 1;
      sb[i] = (d == 1 && out[i] != 1) ? 0 : s;
      s *= d;
    }
  }
  BroadcastPlan p;
  p.rank = 0;
  for (int i = 0; i < rank; ++i) {
    const int64_t d = out[i];
    if (d == 1) continue;  // contributes nothing to any offset
    if (p.rank > 0) {
      // Merge into the previous (outer) dim when both operands continue it contiguously:
      // outer stride == inner stride * inner extent (0 == 0 for broadcast on both).
      const int j = p.rank - 1;
      if (sa[i] * d == p.a_stride[j] && sb[i] * d == p.b_stride[j]) {
        p.dims[j] *= d;
        p.a_stride[j] = sa[i];
        p.b_stride[j] = sb[i];
        continue;
      }
    }
    p.dims[p.rank] = d;
    p.a_stride[p.rank] = sa[i];
    p.b_stride[p.rank] = sb[i];
    ++p.rank;
  }
  if (p.rank == 0) {  // every dim is 1: a single element
    p.rank = 1;
    p.dims[0] = 1;
    p.a_stride[0] = p.b_stride[0] = 0;
  }
  *plan = p;
}

}  // namespace lithe::ref
