// EXP: element-wise e^x on float32 (std::exp, as TensorFlow Lite's reference kernel): overflow
// gives +inf, -inf gives 0, NaN stays NaN.
#include <algorithm>
#include <cmath>
#include <string>

#include "ops/common.h"
#include "ops/registry.h"

namespace lithe {
namespace {

// Elements per task; below one block a node runs on the calling thread.
constexpr int64_t kBlock = 1 << 15;

class ExpKernel final : public OpKernel {
 public:
  explicit ExpKernel(const NoOptions&) {}

  Status Prepare(PrepareContext& ctx) override {
    LITHE_RETURN_IF_ERROR(ctx.ExpectCounts(1, 1, 1));
    LITHE_RETURN_IF_ERROR(ctx.ExpectInputType(0, DType::kFloat32));
    Tensor* out = ctx.output(0);
    if (out->type != DType::kFloat32) return ctx.Error("output must be float32, is " + DTypeName(out->type));
    out->shape = ctx.input(0)->shape;
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    const float* x = ctx.input(0)->data_as<float>();
    float* y = ctx.output(0)->data_as<float>();
    const int64_t n = ctx.output(0)->num_elements();
    auto blocks = [&](int64_t begin, int64_t end) {
      const int64_t hi = std::min(end * kBlock, n);
      for (int64_t i = begin * kBlock; i < hi; ++i) y[i] = std::exp(x[i]);
    };
    const int64_t tasks = (n + kBlock - 1) / kBlock;
    if (tasks <= 1) {
      blocks(0, tasks);
    } else {
      ctx.ParallelFor(tasks, blocks);
    }
  }
};

}  // namespace
}  // namespace lithe

// Version 2 adds int8/int16.
LITHE_BUILTIN_OP(Exp, EXP, 2, ParseNoOptions, ExpKernel)
