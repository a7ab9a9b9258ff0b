// MEAN over the axes given by a constant int32/int64 tensor (negative axes count from the end,
// repeats are allowed); keep_dims from ReducerOptions keeps reduced dims as size 1.
//
// Like TensorFlow Lite's float kernel, values are summed in float in input order and the sums
// divided by the number of reduced elements; when that number is 0 the output is 0 (TFLite skips
// the division), not NaN. Float32 reference kernel.
#include "kernels/ref/reduce.h"
#include "ops/reduce_common.h"
#include "ops/registry.h"

namespace lithe {
namespace {

class MeanKernel final : public OpKernel {
 public:
  explicit MeanKernel(const ReducerOptions& options) : options_(options) {}

  Status Prepare(PrepareContext& ctx) override { return PrepareReduce(ctx, options_.keep_dims, &plan_); }

  void Invoke(InvokeContext& ctx) override {
    const Tensor* in = ctx.input(0);
    Tensor* out = ctx.output(0);
    float* y = out->data_as<float>();
    const int64_t n_out = out->num_elements();
    for (int64_t i = 0; i < n_out; ++i) y[i] = 0.f;
    ref::ReduceAccumulate(plan_, in->data_as<float>(), in->num_elements(), y,
                          [](float acc, float v) { return acc + v; });
    if (plan_.count > 0) {
      const float c = static_cast<float>(plan_.count);
      for (int64_t i = 0; i < n_out; ++i) y[i] /= c;
    }
  }

 private:
  ReducerOptions options_;
  ref::ReducePlan plan_;
};

}  // namespace
}  // namespace lithe

// Versions 2 and 3 add int8 and int16.
LITHE_BUILTIN_OP(Mean, MEAN, 3, ParseReducerOptions, MeanKernel)
