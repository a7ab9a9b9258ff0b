// ADD, SUB, MUL on int8 / uint8 / int16 with numpy-style broadcasting and a fused activation,
// bit-exact with TensorFlow Lite 2.9.
//
// ADD/SUB (general path, TFLite's 8-bit path and its int16 path with pot_scale_int16 = false):
//   m = 2 * max(s1, s2);  left_shift = 20 (8-bit) or 15 (int16)
//   a' = ((a - zp1) << left_shift) * (s1 / m);  b' = ((b - zp2) << left_shift) * (+-s2 / m)
//   y  = zp_out + (a' + b') * (m / (2^left_shift * s_out)),  clamped to the activation range
// with every "* real" a fixed-point multiply (kernels/ref/quant_arith.h). SUB negates input 2's
// multiplier. The multipliers are computed as TFLite computes them (float products, then double).
// int16 ADD/SUB with pot_scale_int16 = true and power-of-two scales, zero points 0 instead
// shifts one input to the other's scale and adds with saturation (TFLite's LSTM path).
//
// MUL: y = zp_out + (a - zp1) * (b - zp2) * (s1 * s2 / s_out), clamped.
#include "ops/binary_quant.h"

#include <cmath>
#include <string>

#include "kernels/ref/elementwise_quant.h"
#include "ops/broadcast_binary.h"

namespace lithe {
namespace {

// TFLite's CheckedLog2: whether x is a power of two within 1e-3 in log2, and its exponent.
bool CheckedLog2(float x, int* log2) {
  const float l = std::log(x) * (1.0f / std::log(2.0f));
  const float r = std::round(l);
  *log2 = static_cast<int>(r);
  return std::fabs(l - r) < 1e-3f;
}

class QuantBinaryKernel final : public OpKernel {
 public:
  QuantBinaryKernel(QuantBinaryOp op, Activation activation, bool pot_scale_int16)
      : op_(op), activation_(activation), pot_scale_int16_(pot_scale_int16) {}

  Status Prepare(PrepareContext& ctx) override {
    LITHE_RETURN_IF_ERROR(ctx.ExpectCounts(2, 2, 1));
    const Tensor* a = ctx.input(0);
    const Tensor* b = ctx.input(1);
    if (a == nullptr || b == nullptr) return ctx.Error(std::string("input ") + (a == nullptr ? "0" : "1") + " is missing");
    Tensor* out = ctx.output(0);
    type_ = a->type;
    if (type_ != DType::kInt8 && type_ != DType::kUInt8 && type_ != DType::kInt16)
      return ctx.Error(std::string("input 0 ('") + a->name + "') has dtype " + DTypeName(type_) +
                       "; the integer kernel takes int8, uint8 or int16");
    if (b->type != type_ || out->type != type_)
      return ctx.Error("inputs and output must have the same dtype, got " + DTypeName(a->type) + ", " +
                       DTypeName(b->type) + " -> " + DTypeName(out->type));
    LITHE_ASSIGN_OR_RETURN(const QuantParams q1, PerTensorQuant(ctx, *a, "input 0"));
    LITHE_ASSIGN_OR_RETURN(const QuantParams q2, PerTensorQuant(ctx, *b, "input 1"));
    LITHE_ASSIGN_OR_RETURN(const QuantParams qo, PerTensorQuant(ctx, *out, "output"));
    int32_t act_min = 0, act_max = 0;
    QuantizedActivationRange(activation_, qo, &act_min, &act_max);
    LITHE_RETURN_IF_ERROR(PrepareBroadcastShape(ctx, &plan_));
    const bool broadcast = !(a->shape == b->shape);

    if (op_ == QuantBinaryOp::kMul) {
      mul_.in1_offset = -q1.zero_point;
      mul_.in2_offset = -q2.zero_point;
      mul_.out_offset = qo.zero_point;
      // float arithmetic, as in TFLite's Prepare, then widened.
      const float real = q1.scale * q2.scale / qo.scale;
      mul_.out = ref::QuantizeMultiplier(static_cast<double>(real));
      mul_.act_min = act_min;
      mul_.act_max = act_max;
      return Status::Ok();
    }

    pot_ = false;
    if (type_ == DType::kInt16 && pot_scale_int16_) {
      int l1 = 0, l2 = 0, lo = 0;
      const bool is_pot = CheckedLog2(q1.scale, &l1) && CheckedLog2(q2.scale, &l2) && CheckedLog2(qo.scale, &lo);
      pot_ = is_pot;  // zero points are 0 for int16
    }
    if (pot_) {
      int l1 = 0, l2 = 0, lo = 0;
      CheckedLog2(q1.scale, &l1);
      CheckedLog2(q2.scale, &l2);
      CheckedLog2(qo.scale, &lo);
      const int s1 = l1 - lo, s2 = l2 - lo;
      if (!(s1 == 0 || s2 == 0) || s1 > 0 || s2 > 0)
        return ctx.Error("int16 power-of-two-scale path (pot_scale_int16): one input must have the output's scale "
                         "and the other a scale no larger; got log2 scales " + std::to_string(l1) + ", " +
                         std::to_string(l2) + " -> " + std::to_string(lo));
      if (broadcast && op_ == QuantBinaryOp::kAdd)
        return ctx.Error("int16 ADD with pot_scale_int16 does not broadcast (shapes " + a->shape.ToString() + " and " +
                         b->shape.ToString() + "); TensorFlow Lite requires equal shapes on this path");
      pot_params_.in1_shift = -s1;
      pot_params_.in2_shift = -s2;
      pot_params_.subtract = op_ == QuantBinaryOp::kSub;
      pot_params_.act_min = act_min;
      pot_params_.act_max = act_max;
      return Status::Ok();
    }

    return PrepareAddQuant(ctx, op_, q1, q2, qo, act_min, act_max, &add_);
  }

  void Invoke(InvokeContext& ctx) override {
    switch (type_) {
      case DType::kInt8: return Run<int8_t>(ctx);
      case DType::kUInt8: return Run<uint8_t>(ctx);
      case DType::kInt16: return Run<int16_t>(ctx);
      default: return;
    }
  }

 private:
  template <class T>
  void Run(InvokeContext& ctx) const {
    if (op_ == QuantBinaryOp::kMul) {
      const ref::MulQuantParams& p = mul_;
      InvokeQuantBroadcastBinary<T>(ctx, plan_, [&p](int32_t x, int32_t y) { return ref::MulQuant(x, y, p); });
    } else if (pot_) {
      const ref::AddPotParams& p = pot_params_;
      InvokeQuantBroadcastBinary<T>(ctx, plan_, [&p](int32_t x, int32_t y) { return ref::AddPot(x, y, p); });
    } else {
      const ref::AddQuantParams& p = add_;
      InvokeQuantBroadcastBinary<T>(ctx, plan_, [&p](int32_t x, int32_t y) { return ref::AddQuant(x, y, p); });
    }
  }

  QuantBinaryOp op_;
  Activation activation_;
  bool pot_scale_int16_;
  DType type_ = DType::kInt8;
  bool pot_ = false;
  ref::BroadcastPlan plan_;
  ref::AddQuantParams add_;
  ref::AddPotParams pot_params_;
  ref::MulQuantParams mul_;
};

}  // namespace

Status PrepareAddQuant(const PrepareContext& ctx, QuantBinaryOp op, const QuantParams& q1, const QuantParams& q2,
                       const QuantParams& qo, int32_t act_min, int32_t act_max, ref::AddQuantParams* p) {
  const bool int16 = ctx.input(0)->type == DType::kInt16;
  p->in1_offset = -q1.zero_point;
  p->in2_offset = -q2.zero_point;
  p->out_offset = qo.zero_point;
  p->left_shift = int16 ? 15 : 20;
  // TFLite: twice_max_input_scale = 2 * max(s1, s2) in float, then the ratios in double.
  const double twice_max = static_cast<double>(2 * std::max(q1.scale, q2.scale));
  const double real1 = static_cast<double>(q1.scale) / twice_max;
  const double real2 = static_cast<double>(q2.scale) / twice_max;
  const double real_out = twice_max / static_cast<double>(static_cast<float>(1 << p->left_shift) * qo.scale);
  if (!(real_out < 1.0))
    return ctx.Error("output scale " + std::to_string(qo.scale) + " is too small for input scales " +
                     std::to_string(q1.scale) + " and " + std::to_string(q2.scale) +
                     " (TensorFlow Lite requires 2 * max input scale < 2^" + std::to_string(p->left_shift) +
                     " * output scale)");
  p->in1 = ref::QuantizeMultiplier(real1);
  p->in2 = ref::QuantizeMultiplier(real2);
  p->out = ref::QuantizeMultiplier(real_out);
  if (op == QuantBinaryOp::kSub) p->in2.multiplier = -p->in2.multiplier;
  p->act_min = act_min;
  p->act_max = act_max;
  return Status::Ok();
}

std::unique_ptr<OpKernel> MakeQuantBinaryKernel(QuantBinaryOp op, Activation activation, bool pot_scale_int16) {
  return std::make_unique<QuantBinaryKernel>(op, activation, pot_scale_int16);
}

}  // namespace lithe
