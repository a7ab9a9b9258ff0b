// MINIMUM and MAXIMUM: element-wise min/max of two float32 tensors with numpy-style
// broadcasting (the same plan as ADD, kernels/ref/binary.h); no options, no activation.
//
// As in TensorFlow Lite, max(a, b) = a > b ? a : b and min(a, b) = a < b ? a : b: a comparison
// with NaN is false, so a NaN in `a` gives `b`, and a NaN in `b` gives NaN.
#include <string>

#include "kernels/ref/binary.h"
#include "ops/common.h"
#include "ops/registry.h"

namespace lithe {
namespace {

struct MaxF {
  float operator()(float a, float b) const { return a > b ? a : b; }
};
struct MinF {
  float operator()(float a, float b) const { return a < b ? a : b; }
};

template <class F>
class MinMaxKernel final : public OpKernel {
 public:
  explicit MinMaxKernel(const NoOptions&) {}

  Status Prepare(PrepareContext& ctx) override {
    LITHE_RETURN_IF_ERROR(ctx.ExpectCounts(2, 2, 1));
    for (int i = 0; i < 2; ++i) {
      const Tensor* t = ctx.input(i);
      if (t == nullptr) return ctx.Error("input " + std::to_string(i) + " is missing");
      if (t->type != DType::kFloat32)
        return ctx.Error("input " + std::to_string(i) + " ('" + t->name + "') is " + DTypeName(t->type) +
                         "; lithe implements this op for float32 only");
    }
    Tensor* out = ctx.output(0);
    if (out->type != DType::kFloat32)
      return ctx.Error("output '" + std::string(out->name) + "' must be float32, is " + DTypeName(out->type));
    const Shape& a = ctx.input(0)->shape;
    const Shape& b = ctx.input(1)->shape;
    Shape shape;
    if (!BroadcastShapes(a, b, &shape))
      return ctx.Error("input shapes " + a.ToString() + " and " + b.ToString() + " do not broadcast");
    out->shape = shape;
    ref::MakeBroadcastPlan(a, b, shape, &plan_);
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    const float* a = ctx.input(0)->data_as<float>();
    const float* b = ctx.input(1)->data_as<float>();
    float* y = ctx.output(0)->data_as<float>();
    const int64_t tasks = ref::BinaryTaskCount(plan_);
    if (tasks == 0) return;
    if (tasks == 1) {
      ref::BinaryTasks(plan_, a, b, y, 0, 1, F());
    } else {
      ctx.ParallelFor(tasks, [&](int64_t begin, int64_t end) { ref::BinaryTasks(plan_, a, b, y, begin, end, F()); });
    }
  }

 private:
  ref::BroadcastPlan plan_;
};

}  // namespace
}  // namespace lithe

// Version 2 adds int8, 3 broadcasting above 4-D (any rank up to 8 broadcasts here), 4 int16.
LITHE_BUILTIN_OP(Maximum, MAXIMUM, 4, ParseNoOptions, MinMaxKernel<MaxF>)
LITHE_BUILTIN_OP(Minimum, MINIMUM, 4, ParseNoOptions, MinMaxKernel<MinF>)
