// Float32 reference kernel for BATCH_MATMUL: out[b] = op(lhs[b]) x op(rhs[b]) for every batch
// index b, where op transposes the last two dims when adj_x / adj_y is set and the batch dims
// broadcast numpy-style.
//
//   lithe::ref::MatMulGeometry g;  // rows, cols, depth, adj_x, adj_y, batch dims and strides
//   lithe::ref::BatchMatMulRows(g, lhs, rhs, out, 0, g.batches() * g.rows);
//
// Each output is sum_k A(i, k) * B(k, j) accumulated in float in ascending k from 0. The loop
// order keeps the innermost loop contiguous: with B's rows contiguous (no adj_y) it adds
// A(i, k) * B(k, :) into the output row; with adj_y it takes dot products along k.
#pragma once

#include <cstdint>

#include "lithe/tensor.h"

namespace lithe::ref {

struct MatMulGeometry {
  int64_t rows = 0;   // output rows (lhs rows after adj_x)
  int64_t cols = 0;   // output cols (rhs cols after adj_y)
  int64_t depth = 0;  // the summed dim
  bool adj_x = false, adj_y = false;
  // Output batch dims (outermost first) and, for each, the element stride of lhs's and rhs's
  // matrices along it (0 where that operand is broadcast).
  int batch_rank = 0;
  int64_t batch[kMaxRank] = {};
  int64_t lhs_stride[kMaxRank] = {};
  int64_t rhs_stride[kMaxRank] = {};
  int64_t batches() const;
};

// Output rows [row_begin, row_end) where row = batch * g.rows + i. Each batch's lhs matrix is
// [rows, depth] ([depth, rows] with adj_x) and its rhs matrix [depth, cols] ([cols, depth] with
// adj_y).
void BatchMatMulRows(const MatMulGeometry& g, const float* lhs, const float* rhs, float* out, int64_t row_begin,
                     int64_t row_end);

}  // namespace lithe::ref
