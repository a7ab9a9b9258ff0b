// Moves elements between two strided views of the same logical shape: the data movement of
// TRANSPOSE, STRIDED_SLICE and PAD (the interior copy), for any element size.
//
//   lithe::ref::CopyPlan p;
//   p.rank = 2;
//   p.count[0] = rows;  p.in_stride[0] = 1;     p.out_stride[0] = cols;  // a 2-D transpose
//   p.count[1] = cols;  p.in_stride[1] = rows;  p.out_stride[1] = 1;
//   lithe::ref::FoldCopyPlan(&p);                // at Prepare
//   lithe::ref::StridedCopy(p, in, out, sizeof(float));  // at Invoke
//
// Strides and offsets are in elements and may be negative (a reversed slice). Folding drops
// extent-1 dims and merges neighbours that are contiguous on both sides, so a slice of whole
// rows becomes one memcpy per run. When the innermost run is short and strided on both sides,
// folding moves the longest dim that is contiguous on one side innermost instead.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lithe/tensor.h"

namespace lithe::ref {

struct CopyPlan {
  int rank = 0;  // 0: a single element
  int64_t count[kMaxRank] = {};
  int64_t in_stride[kMaxRank] = {};
  int64_t out_stride[kMaxRank] = {};
  int64_t in_offset = 0;   // element index of the first element read
  int64_t out_offset = 0;  // element index of the first element written
  bool empty = false;      // some extent is 0: nothing to copy
};

// Drops extent-1 dims and merges contiguous neighbours; sets `empty` when an extent is 0.
void FoldCopyPlan(CopyPlan* plan);

// out[out_offset + sum(i_d * out_stride_d)] = in[in_offset + sum(i_d * in_stride_d)] for every
// multi-index i within `count`.
void StridedCopy(const CopyPlan& plan, const void* in, void* out, size_t elem_size);

}  // namespace lithe::ref
