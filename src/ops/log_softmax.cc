// LOG_SOFTMAX over the last axis, float32, TensorFlow Lite's formula:
//   out_i = (x_i - max_j x_j) - log(sum_k exp(x_k - max_j x_j))
// Subtracting the row maximum keeps exp() from overflowing; the log of the sum is taken once per
// row.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "ops/common.h"
#include "ops/registry.h"

namespace lithe {
namespace {

// Below this many elements a node runs on the calling thread only.
constexpr int64_t kParallelMinElements = 1 << 15;

class LogSoftmaxKernel final : public OpKernel {
 public:
  explicit LogSoftmaxKernel(const NoOptions&) {}

  Status Prepare(PrepareContext& ctx) override {
    LITHE_RETURN_IF_ERROR(ctx.ExpectCounts(1, 1, 1));
    LITHE_RETURN_IF_ERROR(ctx.ExpectInputType(0, DType::kFloat32));
    const Tensor& x = *ctx.input(0);
    LITHE_RETURN_IF_ERROR(ExpectRank(ctx, x, 1, kMaxRank, "input"));
    Tensor* out = ctx.output(0);
    if (out->type != DType::kFloat32) return ctx.Error("output must be float32, is " + DTypeName(out->type));
    out->shape = x.shape;
    depth_ = x.shape[x.shape.rank() - 1];
    rows_ = depth_ > 0 ? x.num_elements() / depth_ : 0;
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    const float* x = ctx.input(0)->data_as<float>();
    float* y = ctx.output(0)->data_as<float>();
    auto rows = [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const float* xr = x + r * depth_;
        float* yr = y + r * depth_;
        float max = std::numeric_limits<float>::lowest();
        for (int64_t i = 0; i < depth_; ++i) max = std::max(max, xr[i]);
        float sum = 0.f;
        for (int64_t i = 0; i < depth_; ++i) sum += std::exp(xr[i] - max);
        const float log_sum = std::log(sum);
        for (int64_t i = 0; i < depth_; ++i) yr[i] = (xr[i] - max) - log_sum;
      }
    };
    if (rows_ * depth_ < kParallelMinElements) {
      rows(0, rows_);
    } else {
      ctx.ParallelFor(rows_, rows);
    }
  }

 private:
  int64_t depth_ = 0, rows_ = 0;
};

}  // namespace
}  // namespace lithe

// Version 2 adds int8.
LITHE_BUILTIN_OP(LogSoftmax, LOG_SOFTMAX, 2, ParseNoOptions, LogSoftmaxKernel)
