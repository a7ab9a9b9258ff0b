#include "kernels/ref/strided_copy.h"

#include <cstring>
#include <utility>

namespace lithe::ref {

void FoldCopyPlan(CopyPlan* plan) {
  CopyPlan p;
  p.in_offset = plan->in_offset;
  p.out_offset = plan->out_offset;
  for (int i = 0; i < plan->rank; ++i) {
    const int64_t n = plan->count[i];
    if (n == 0) p.empty = true;
    if (n == 1) continue;  // adds nothing to any offset
    if (p.rank > 0) {
      // Merge into the outer neighbour when both sides continue it contiguously.
      const int j = p.rank - 1;
      if (plan->in_stride[i] * n == p.in_stride[j] && plan->out_stride[i] * n == p.out_stride[j]) {
        p.count[j] *= n;
        p.in_stride[j] = plan->in_stride[i];
        p.out_stride[j] = plan->out_stride[i];
        continue;
      }
    }
    p.count[p.rank] = n;
    p.in_stride[p.rank] = plan->in_stride[i];
    p.out_stride[p.rank] = plan->out_stride[i];
    ++p.rank;
  }
  // The loop order does not change what is copied, only how fast. A short innermost run that is
  // strided on both sides (NCHW -> NHWC with 3 channels: runs of 3 elements) costs a call per run;
  // the longest dim that is contiguous on one side makes a better inner loop.
  const int inner = p.rank - 1;
  if (p.rank >= 2 && !(p.in_stride[inner] == 1 && p.out_stride[inner] == 1)) {
    int best = inner;
    for (int d = 0; d < inner; ++d) {
      const bool unit = p.in_stride[d] == 1 || p.out_stride[d] == 1;
      if (unit && p.count[d] > p.count[best]) best = d;
    }
    if (best != inner && p.count[inner] < 16) {
      std::swap(p.count[best], p.count[inner]);
      std::swap(p.in_stride[best], p.in_stride[inner]);
      std::swap(p.out_stride[best], p.out_stride[inner]);
    }
  }
  *plan = p;
}

namespace {

// One innermost run, element by element (T has the element's size).
template <class T>
void CopyRun(const uint8_t* in, int64_t in_stride, uint8_t* out, int64_t out_stride, int64_t n) {
  const T* src = reinterpret_cast<const T*>(in);
  T* dst = reinterpret_cast<T*>(out);
  for (int64_t i = 0; i < n; ++i) dst[i * out_stride] = src[i * in_stride];
}

void Run(const uint8_t* in, int64_t in_stride, uint8_t* out, int64_t out_stride, int64_t n,
         size_t elem_size) {
  if (in_stride == 1 && out_stride == 1) {
    std::memcpy(out, in, static_cast<size_t>(n) * elem_size);
    return;
  }
  switch (elem_size) {
    case 1:
      CopyRun<uint8_t>(in, in_stride, out, out_stride, n);
      return;
    case 2:
      CopyRun<uint16_t>(in, in_stride, out, out_stride, n);
      return;
    case 4:
      CopyRun<uint32_t>(in, in_stride, out, out_stride, n);
      return;
    case 8:
      CopyRun<uint64_t>(in, in_stride, out, out_stride, n);
      return;
    default: {
      const int64_t es = static_cast<int64_t>(elem_size);
      for (int64_t i = 0; i < n; ++i)
        std::memcpy(out + i * out_stride * es, in + i * in_stride * es, elem_size);
    }
  }
}

}  // namespace

void StridedCopy(const CopyPlan& p, const void* in, void* out, size_t elem_size) {
  if (p.empty) return;
  const int64_t es = static_cast<int64_t>(elem_size);
  const uint8_t* src = static_cast<const uint8_t*>(in) + p.in_offset * es;
  uint8_t* dst = static_cast<uint8_t*>(out) + p.out_offset * es;
  if (p.rank == 0) {
    std::memcpy(dst, src, elem_size);
    return;
  }
  const int inner = p.rank - 1;
  const int64_t n = p.count[inner];
  int64_t idx[kMaxRank] = {};
  int64_t io = 0, oo = 0;
  while (true) {
    Run(src + io * es, p.in_stride[inner], dst + oo * es, p.out_stride[inner], n, elem_size);
    // Odometer step over the outer dims.
    int d = inner - 1;
    for (; d >= 0; --d) {
      io += p.in_stride[d];
      oo += p.out_stride[d];
      if (++idx[d] < p.count[d]) break;
      io -= idx[d] * p.in_stride[d];
      oo -= idx[d] * p.out_stride[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace lithe::ref
