// Float32 reference kernels for element-wise binary ops with numpy-style broadcasting (ADD, SUB,
// MUL, DIV, PRELU).
//
//   lithe::ref::BroadcastPlan plan;
//   lithe::ref::MakeBroadcastPlan(a.shape, b.shape, out.shape, &plan);  // at Prepare
//   lithe::ref::BinaryRows(plan, a_data, b_data, y, 0, plan.rows(),
//                          [](float x, float w) { return x + w; });  // at Invoke
//   // or, split into independent tasks for a thread pool:
//   ctx.ParallelFor(lithe::ref::BinaryTaskCount(plan), [&](int64_t begin, int64_t end) {
//     lithe::ref::BinaryTasks(plan, a_data, b_data, y, begin, end, f);
//   });
//
// The plan folds the broadcast into as few dims as possible: size-1 output dims are dropped and
// neighbouring dims that both operands walk the same way (both contiguous, or both broadcast)
// are merged. Equal shapes become one dim of n elements with unit strides; [1,128,128,24] plus
// [24] becomes [16384, 24] with b's outer stride 0. The innermost dim is then walked with
// stride 1 or 0 on each side, which the compiler vectorises; callers split [0, rows()) across
// threads, or use BinaryTaskCount / BinaryTasks, which do that split.
#pragma once

#include <algorithm>
#include <cstdint>

#include "lithe/tensor.h"

namespace lithe::ref {

struct BroadcastPlan {
  int rank = 1;                     // >= 1; dims[rank - 1] is the innermost
  int64_t dims[kMaxRank] = {1};     // output extents after folding
  int64_t a_stride[kMaxRank] = {};  // elements; 0 where a is broadcast
  int64_t b_stride[kMaxRank] = {};
  int64_t inner() const { return dims[rank - 1]; }
  // Number of innermost rows: the product of all dims but the last.
  int64_t rows() const;
};

// Plans out = f(a, b) where `out` is the broadcast of `a` and `b` (ops/common.h BroadcastShapes).
void MakeBroadcastPlan(const Shape& a, const Shape& b, const Shape& out, BroadcastPlan* plan);

// Rows [row_begin, row_end) with the innermost strides fixed at compile time: kSa, kSb are 1
// (contiguous) or 0 (broadcast); other patterns (both 0: a single column) use the general loop.
template <int kSa, int kSb, class F>
void BinaryRowsFixed(const BroadcastPlan& p, const float* a, const float* b, float* y, int64_t row_begin,
                     int64_t row_end, const F& f) {
  const int outer = p.rank - 1;
  const int64_t n = p.inner();
  // Multi-index of row_begin over the outer dims, and the matching element offsets.
  int64_t idx[kMaxRank] = {};
  int64_t ao = 0, bo = 0;
  int64_t r = row_begin;
  for (int d = outer - 1; d >= 0; --d) {
    idx[d] = r % p.dims[d];
    r /= p.dims[d];
    ao += idx[d] * p.a_stride[d];
    bo += idx[d] * p.b_stride[d];
  }
  const int64_t sa = p.a_stride[outer], sb = p.b_stride[outer];
  for (int64_t row = row_begin; row < row_end; ++row) {
    const float* ar = a + ao;
    const float* br = b + bo;
    float* yr = y + row * n;
    if constexpr (kSa == 1 && kSb == 1) {
      for (int64_t i = 0; i < n; ++i) yr[i] = f(ar[i], br[i]);
    } else if constexpr (kSa == 1 && kSb == 0) {
      const float bv = *br;
      for (int64_t i = 0; i < n; ++i) yr[i] = f(ar[i], bv);
    } else if constexpr (kSa == 0 && kSb == 1) {
      const float av = *ar;
      for (int64_t i = 0; i < n; ++i) yr[i] = f(av, br[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) yr[i] = f(ar[i * sa], br[i * sb]);
    }
    // Odometer step over the outer dims.
    for (int d = outer - 1; d >= 0; --d) {
      ao += p.a_stride[d];
      bo += p.b_stride[d];
      if (++idx[d] < p.dims[d]) break;
      ao -= idx[d] * p.a_stride[d];
      bo -= idx[d] * p.b_stride[d];
      idx[d] = 0;
    }
  }
}

// Computes rows [row_begin, row_end) of the plan: y is the whole (contiguous) output.
template <class F>
void BinaryRows(const BroadcastPlan& p, const float* a, const float* b, float* y, int64_t row_begin,
                int64_t row_end, const F& f) {
  if (row_begin >= row_end) return;
  const int64_t sa = p.a_stride[p.rank - 1], sb = p.b_stride[p.rank - 1];
  if (sa == 1 && sb == 1) return BinaryRowsFixed<1, 1>(p, a, b, y, row_begin, row_end, f);
  if (sa == 1 && sb == 0) return BinaryRowsFixed<1, 0>(p, a, b, y, row_begin, row_end, f);
  if (sa == 0 && sb == 1) return BinaryRowsFixed<0, 1>(p, a, b, y, row_begin, row_end, f);
  BinaryRowsFixed<-1, -1>(p, a, b, y, row_begin, row_end, f);
}

// Below this many output elements the whole plan is one task (not worth a thread hand-off).
constexpr int64_t kBinaryParallelMinElements = 1 << 15;
// Elements per task when the output folds to one long row (equal shapes, scalar operand).
constexpr int64_t kBinaryBlock = 1 << 14;

// The number of independent tasks the plan's work is split into: 0 for an empty output, 1 for a
// small one, else one per block of a single long row or one per row.
int64_t BinaryTaskCount(const BroadcastPlan& p);

// Computes tasks [begin, end) of BinaryTaskCount(p); tasks write disjoint parts of y.
template <class F>
void BinaryTasks(const BroadcastPlan& p, const float* a, const float* b, float* y, int64_t begin, int64_t end,
                 const F& f) {
  const int64_t total = p.rows() * p.inner();
  if (total < kBinaryParallelMinElements) {
    if (begin < end) BinaryRows(p, a, b, y, 0, p.rows(), f);
  } else if (p.rank == 1) {
    // One long row, split into blocks.
    const int64_t lo = begin * kBinaryBlock, hi = std::min(end * kBinaryBlock, total);
    if (lo >= hi) return;
    BroadcastPlan part = p;
    part.dims[0] = hi - lo;
    BinaryRows(part, a + lo * p.a_stride[0], b + lo * p.b_stride[0], y + lo, 0, 1, f);
  } else {
    BinaryRows(p, a, b, y, begin, end, f);
  }
}

}  // namespace lithe::ref
