// Element-wise arithmetic: ADD, SUB, MUL, DIV on float32 with numpy-style broadcasting and a
// fused activation. ADD, SUB and MUL on int8 / uint8 / int16 run the integer kernels of
// binary_quant.cc (picked at Prepare from input 0's dtype); DIV is float32 only.
//
// out = clamp(a op b, act_min, act_max). As in TensorFlow Lite's float kernels the clamp is
// always applied, and with no activation its bounds are the lowest and highest finite floats:
// an overflow to +-inf (or x / 0) comes out as +-FLT_MAX, NaN stays NaN.
#include "ops/broadcast_binary.h"
#include "kernels/ref/binary.h"

#include <limits>
#include <memory>
#include <string>

#include "ops/binary_quant.h"
#include "ops/common.h"
#include "ops/dispatch.h"
#include "ops/registry.h"

namespace lithe {
namespace {

// Absent options mean no activation (the flatbuffer default), as in TensorFlow Lite.
template <class OptionsTable>
Result<BinaryOptions> ParseActivationOf(const OptionsTable* p) {
  BinaryOptions o;
  if (p != nullptr) {
    Result<Activation> a = ParseActivation(p->fused_activation_function());
    if (!a.ok()) return a.status();
    o.activation = *a;
  }
  return o;
}

template <class OptionsTable>
Result<BinaryOptions> ParseWithPotScale(const OptionsTable* p) {
  Result<BinaryOptions> o = ParseActivationOf(p);
  if (o.ok() && p != nullptr) o->pot_scale_int16 = p->pot_scale_int16();
  return o;
}

Result<BinaryOptions> ParseAdd(const ::tflite::Operator& op) {
  return ParseWithPotScale(op.builtin_options_as_AddOptions());
}
Result<BinaryOptions> ParseSub(const ::tflite::Operator& op) {
  return ParseWithPotScale(op.builtin_options_as_SubOptions());
}
Result<BinaryOptions> ParseMul(const ::tflite::Operator& op) {
  return ParseActivationOf(op.builtin_options_as_MulOptions());
}
Result<BinaryOptions> ParseDiv(const ::tflite::Operator& op) {
  return ParseActivationOf(op.builtin_options_as_DivOptions());
}

struct AddF {
  float operator()(float a, float b) const { return a + b; }
};
struct SubF {
  float operator()(float a, float b) const { return a - b; }
};
struct MulF {
  float operator()(float a, float b) const { return a * b; }
};
struct DivF {
  float operator()(float a, float b) const { return a / b; }
};

// f followed by the activation clamp (max first, then min: TensorFlow Lite's order).
template <class F>
struct Clamped {
  float lo, hi;
  float operator()(float a, float b) const {
    const float x = F()(a, b);
    const float y = x < lo ? lo : x;
    return y > hi ? hi : y;
  }
};

template <class F>
class BinaryKernel final : public OpKernel {
 public:
  explicit BinaryKernel(const BinaryOptions& options) : options_(options) {}

  Status Prepare(PrepareContext& ctx) override {
    LITHE_RETURN_IF_ERROR(PrepareBroadcastBinary(ctx, &plan_));
    const ActivationRange r = RangeOf(options_.activation);
    f_.lo = std::max(r.lo, std::numeric_limits<float>::lowest());
    f_.hi = std::min(r.hi, std::numeric_limits<float>::max());
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override { InvokeBroadcastBinary(ctx, plan_, f_); }

 private:
  BinaryOptions options_;
  ref::BroadcastPlan plan_;
  Clamped<F> f_{0.f, 0.f};
};

// The integer kernel of ADD / SUB / MUL (binary_quant.cc) behind the options-constructed
// interface FloatOrQuantKernel expects.
template <QuantBinaryOp kOp>
class QuantBinary final : public OpKernel {
 public:
  explicit QuantBinary(const BinaryOptions& o) : impl_(MakeQuantBinaryKernel(kOp, o.activation, o.pot_scale_int16)) {}
  Status Prepare(PrepareContext& ctx) override { return impl_->Prepare(ctx); }
  void Invoke(InvokeContext& ctx) override { impl_->Invoke(ctx); }

 private:
  std::unique_ptr<OpKernel> impl_;
};

using AddKernel = FloatOrQuantKernel<BinaryOptions, BinaryKernel<AddF>, QuantBinary<QuantBinaryOp::kAdd>>;
using SubKernel = FloatOrQuantKernel<BinaryOptions, BinaryKernel<SubF>, QuantBinary<QuantBinaryOp::kSub>>;
using MulKernel = FloatOrQuantKernel<BinaryOptions, BinaryKernel<MulF>, QuantBinary<QuantBinaryOp::kMul>>;

}  // namespace
}  // namespace lithe

// Highest versions whose changes over version 1 are new dtypes (int8, int16: the integer kernels)
// or 5-D/6-D broadcasting, which the kernels handle. (Any rank up to 8 broadcasts here; TensorFlow
// Lite 2.9 itself aborts on ADD/MUL broadcasts above 4-D and SUB/DIV above 5-D.)
LITHE_BUILTIN_OP(Add, ADD, 4, ParseAdd, AddKernel)
LITHE_BUILTIN_OP(Sub, SUB, 5, ParseSub, SubKernel)
LITHE_BUILTIN_OP(Mul, MUL, 6, ParseMul, MulKernel)
LITHE_BUILTIN_OP(Div, DIV, 2, ParseDiv, BinaryKernel<DivF>)
