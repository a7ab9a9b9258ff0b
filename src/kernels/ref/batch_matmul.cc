#include "kernels/ref/batch_matmul.h"

#include <algorithm>

namespace lithe::ref {

int64_t MatMulGeometry::batches() const {
  int64_t n = 1;
  for (int d = 0; d < batch_rank; ++d) n *= batch[d];
  return n;
}

void BatchMatMulRows(const MatMulGeometry& g, const float* lhs, const float* rhs, float* out, int64_t row_begin,
                     int64_t row_end) {
  const int64_t n = g.cols, k_count = g.depth;
  // A(i, k) = a[i * a_row + k * a_k]
  const int64_t a_row = g.adj_x ? 1 : k_count, a_k = g.adj_x ? g.rows : 1;
  for (int64_t row = row_begin; row < row_end; ++row) {
    int64_t batch = row / g.rows;
    const int64_t i = row % g.rows;
    // The batch's matrix offsets in lhs and rhs.
    int64_t lo = 0, ro = 0;
    for (int d = g.batch_rank - 1; d >= 0; --d) {
      const int64_t idx = batch % g.batch[d];
      batch /= g.batch[d];
      lo += idx * g.lhs_stride[d];
      ro += idx * g.rhs_stride[d];
    }
    const float* a = lhs + lo + i * a_row;
    const float* b = rhs + ro;
    float* __restrict y = out + row * n;
    if (!g.adj_y) {
      // B(k, j) = b[k * n + j]: y += A(i, k) * B(k, :), k ascending.
      std::fill(y, y + n, 0.f);
      for (int64_t k = 0; k < k_count; ++k) {
        const float v = a[k * a_k];
        const float* __restrict bk = b + k * n;
        for (int64_t j = 0; j < n; ++j) y[j] += v * bk[j];
      }
    } else {
      // B(k, j) = b[j * depth + k]: one dot product per output.
      for (int64_t j = 0; j < n; ++j) {
        const float* bj = b + j * k_count;
        float acc = 0.f;
        for (int64_t k = 0; k < k_count; ++k) acc += a[k * a_k] * bj[k];
        y[j] = acc;
      }
    }
  }
}

}  // namespace lithe::ref
