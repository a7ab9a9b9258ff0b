// MINIMUM and MAXIMUM: element-wise min/max of two float32 tensors with numpy-style
// broadcasting (the same plan as ADD, kernels/ref/binary.h); no options, no activation.
//
// As in TensorFlow Lite, max(a, b) = a > b ? a : b and min(a, b) = a < b ? a : b: a comparison
// with NaN is false, so a NaN in `a` gives `b`, and a NaN in `b` gives NaN.
#include <string>

#include "ops/broadcast_binary.h"
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

  Status Prepare(PrepareContext& ctx) override { return PrepareBroadcastBinary(ctx, &plan_); }

  void Invoke(InvokeContext& ctx) override { InvokeBroadcastBinary(ctx, plan_, F()); }

 private:
  ref::BroadcastPlan plan_;
};

}  // namespace
}  // namespace lithe

// Version 2 adds int8, 3 broadcasting above 4-D (any rank up to 8 broadcasts here), 4 int16.
LITHE_BUILTIN_OP(Maximum, MAXIMUM, 4, ParseNoOptions, MinMaxKernel<MaxF>)
LITHE_BUILTIN_OP(Minimum, MINIMUM, 4, ParseNoOptions, MinMaxKernel<MinF>)
