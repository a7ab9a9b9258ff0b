// BATCH_MATMUL: batched matrix product of two float32 tensors of rank 2..5, TensorFlow Lite 2.9
// semantics.
//
//   lhs [..., r, k] (adj_x: [..., k, r]), rhs [..., k, c] (adj_y: [..., c, k])
//   out [..., r, c], out[..., i, j] = sum_k lhs'[..., i, k] * rhs'[..., k, j]
//
// The batch dims (all but the last two) broadcast numpy-style after padding the shorter shape
// with leading 1s; the output has the larger rank. Either input may be constant or not.
#include <string>

#include "kernels/ref/batch_matmul.h"
#include "ops/common.h"
#include "ops/registry.h"

namespace lithe {
namespace {

struct BatchMatMulOptions : OpOptions {
  bool adj_x = false, adj_y = false;
};

Result<BatchMatMulOptions> ParseBatchMatMul(const ::tflite::Operator& op) {
  BatchMatMulOptions o;
  if (const auto* p = op.builtin_options_as_BatchMatMulOptions()) {
    o.adj_x = p->adj_x();
    o.adj_y = p->adj_y();
  }
  return o;
}

// Below this many multiply-adds a node runs on the calling thread only.
constexpr int64_t kParallelMinWork = 1 << 15;

class BatchMatMulKernel final : public OpKernel {
 public:
  explicit BatchMatMulKernel(const BatchMatMulOptions& o) : o_(o) {}

  Status Prepare(PrepareContext& ctx) override {
    LITHE_RETURN_IF_ERROR(ctx.ExpectCounts(2, 2, 1));
    LITHE_RETURN_IF_ERROR(ctx.ExpectInputType(0, DType::kFloat32));
    LITHE_RETURN_IF_ERROR(ctx.ExpectInputType(1, DType::kFloat32));
    const Tensor& lhs = *ctx.input(0);
    const Tensor& rhs = *ctx.input(1);
    LITHE_RETURN_IF_ERROR(ExpectRank(ctx, lhs, 2, 5, "lhs"));
    LITHE_RETURN_IF_ERROR(ExpectRank(ctx, rhs, 2, 5, "rhs"));
    Tensor* out = ctx.output(0);
    if (out->type != DType::kFloat32) return ctx.Error("output must be float32, is " + DTypeName(out->type));
    const Shape& a = lhs.shape;
    const Shape& b = rhs.shape;
    const int ra = a.rank(), rb = b.rank();
    const int32_t rows = o_.adj_x ? a[ra - 1] : a[ra - 2];
    const int32_t depth_a = o_.adj_x ? a[ra - 2] : a[ra - 1];
    const int32_t depth_b = o_.adj_y ? b[rb - 1] : b[rb - 2];
    const int32_t cols = o_.adj_y ? b[rb - 2] : b[rb - 1];
    if (depth_a != depth_b)
      return ctx.Error("lhs " + a.ToString() + (o_.adj_x ? " (adj_x)" : "") + " and rhs " + b.ToString() +
                       (o_.adj_y ? " (adj_y)" : "") + " do not agree on the summed dim: " +
                       std::to_string(depth_a) + " vs " + std::to_string(depth_b));
    // Batch dims: broadcast a[:-2] with b[:-2].
    Shape ba, bb, batch;
    ba.set_rank(ra - 2);
    bb.set_rank(rb - 2);
    for (int i = 0; i < ra - 2; ++i) ba[i] = a[i];
    for (int i = 0; i < rb - 2; ++i) bb[i] = b[i];
    if (!BroadcastShapes(ba, bb, &batch))
      return ctx.Error("batch dims of lhs " + a.ToString() + " and rhs " + b.ToString() + " do not broadcast");
    Shape shape;
    shape.set_rank(batch.rank() + 2);
    for (int i = 0; i < batch.rank(); ++i) shape[i] = batch[i];
    shape[batch.rank()] = rows;
    shape[batch.rank() + 1] = cols;
    out->shape = shape;

    // Strides of each operand's matrices along the output batch dims (0 where broadcast).
    g_ = ref::MatMulGeometry();
    g_.rows = rows;
    g_.cols = cols;
    g_.depth = depth_a;
    g_.adj_x = o_.adj_x;
    g_.adj_y = o_.adj_y;
    g_.batch_rank = batch.rank();
    int64_t sa[kMaxRank], sb[kMaxRank];
    BroadcastStrides(ba, batch, sa);
    BroadcastStrides(bb, batch, sb);
    const int64_t a_matrix = static_cast<int64_t>(a[ra - 2]) * a[ra - 1];
    const int64_t b_matrix = static_cast<int64_t>(b[rb - 2]) * b[rb - 1];
    for (int d = 0; d < batch.rank(); ++d) {
      g_.batch[d] = batch[d];
      g_.lhs_stride[d] = sa[d] * a_matrix;
      g_.rhs_stride[d] = sb[d] * b_matrix;
    }
    total_rows_ = g_.batches() * rows;
    // (In double: the product can exceed int64 for absurd but valid shapes.)
    parallel_ = static_cast<double>(total_rows_) * static_cast<double>(cols) * static_cast<double>(depth_a) >=
                static_cast<double>(kParallelMinWork);
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    if (total_rows_ == 0 || g_.cols == 0) return;
    const float* a = ctx.input(0)->data_as<float>();
    const float* b = ctx.input(1)->data_as<float>();
    float* y = ctx.output(0)->data_as<float>();
    auto rows = [&](int64_t begin, int64_t end) {
      ref::BatchMatMulRows(g_, a, b, y, begin, end);
    };
    if (parallel_) {
      ctx.ParallelFor(total_rows_, rows);
    } else {
      rows(0, total_rows_);
    }
  }

 private:
  BatchMatMulOptions o_;
  ref::MatMulGeometry g_;
  int64_t total_rows_ = 0;
  bool parallel_ = false;
};

}  // namespace
}  // namespace lithe

// Versions 2 and 3 add int8 and int16, 4 asymmetric hybrid quantization; float is unchanged.
LITHE_BUILTIN_OP(BatchMatMul, BATCH_MATMUL, 4, ParseBatchMatMul, BatchMatMulKernel)
