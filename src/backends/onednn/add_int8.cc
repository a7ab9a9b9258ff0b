// ADD and SUB of two int8 tensors of one shape (no broadcasting), bit-exact with the reference
// kernel (ops/binary_quant.cc, TensorFlow Lite's 8-bit path):
//   y = clamp(Rescale(Rescale((a - zp1) << 20, m1) + Rescale((b - zp2) << 20, m2), m_out) + zp_out)
// with gemmlowp's rounding. The reference kernel evaluates this with branches and 64-bit
// arithmetic per element; here the loop is branch-free (int8_util.h's RescaleAway) and
// vectorizes, with AVX-512 and AVX2 clones. Residual connections (ResNets) are such ADDs.
// Broadcasting ADDs, uint8 and int16 stay with the reference kernel.
#include <algorithm>
#include <string>

#include "backends/onednn/int8_util.h"
#include "backends/onednn/kernels.h"
#include "ops/binary_quant.h"

namespace lithe::onednn {
namespace {

struct AddPlan {
  int32_t off1 = 0, off2 = 0, out_off = 0;
  int32_t m1 = 0, m2 = 0, mo = 0;  // multipliers (m2 negated for SUB)
  int32_t r1 = 0, r2 = 0, ro = 0;  // right shifts
  int32_t act_min = -128, act_max = 127;
};

inline __attribute__((always_inline)) void AddBody(const AddPlan& p, const int8_t* a, const int8_t* b, int8_t* y,
                                                   int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const int32_t sa = (int32_t{a[i]} + p.off1) * (int32_t{1} << 20);
    const int32_t sb = (int32_t{b[i]} + p.off2) * (int32_t{1} << 20);
    const int32_t sum = RescaleAway(sa, p.m1, 0, p.r1) + RescaleAway(sb, p.m2, 0, p.r2);
    const int32_t v = RescaleAway(sum, p.mo, 0, p.ro) + p.out_off;
    y[i] = static_cast<int8_t>(std::min(std::max(v, p.act_min), p.act_max));
  }
}

__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"))) void AddAvx512(const AddPlan& p, const int8_t* a,
                                                                             const int8_t* b, int8_t* y, int64_t n) {
  AddBody(p, a, b, y, n);
}
__attribute__((target("avx2"))) void AddAvx2(const AddPlan& p, const int8_t* a, const int8_t* b, int8_t* y,
                                             int64_t n) {
  AddBody(p, a, b, y, n);
}
void AddGeneric(const AddPlan& p, const int8_t* a, const int8_t* b, int8_t* y, int64_t n) { AddBody(p, a, b, y, n); }

using AddFn = void (*)(const AddPlan&, const int8_t*, const int8_t*, int8_t*, int64_t);

AddFn PickAdd() {
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return AddAvx512;
  if (__builtin_cpu_supports("avx2")) return AddAvx2;
  return AddGeneric;
}

constexpr int64_t kBlock = 16384;  // elements per parallel chunk

class AddInt8 final : public OpKernel {
 public:
  AddInt8(QuantBinaryOp op, Activation activation) : op_(op), activation_(activation) {}

  Status Prepare(PrepareContext& ctx) override {
    const Tensor* a = ctx.input(0);
    const Tensor* b = ctx.input(1);
    const Tensor* y = ctx.output(0);
    if (a == nullptr || b == nullptr || y == nullptr) return Status::Unsupported("missing operands");
    if (a->type != DType::kInt8 || b->type != DType::kInt8 || y->type != DType::kInt8)
      return Status::Unsupported("int8 only");
    if (!(a->shape == b->shape) || !(y->shape == a->shape)) return Status::Unsupported("broadcasting");
    LITHE_ASSIGN_OR_RETURN(const QuantParams q1, PerTensorQuant(ctx, *a, "input 0"));
    LITHE_ASSIGN_OR_RETURN(const QuantParams q2, PerTensorQuant(ctx, *b, "input 1"));
    LITHE_ASSIGN_OR_RETURN(const QuantParams qo, PerTensorQuant(ctx, *y, "output"));
    int32_t act_min = 0, act_max = 0;
    QuantizedActivationRange(activation_, qo, &act_min, &act_max);
    ref::AddQuantParams r;
    LITHE_RETURN_IF_ERROR(PrepareAddQuant(ctx, op_, q1, q2, qo, act_min, act_max, &r));
    if (r.left_shift != 20) return Status::Unsupported("not the 8-bit path");
    for (const ref::QuantizedMultiplier& m : {r.in1, r.in2, r.out})
      if (m.shift > 0) return Status::Unsupported("multiplier above one");
    // The reference kernel caps right shifts at 31 (quant_arith.h); so does RescaleAway's range.
    const auto right = [](const ref::QuantizedMultiplier& m) { return std::min(-m.shift, 31); };
    p_.off1 = r.in1_offset;
    p_.off2 = r.in2_offset;
    p_.out_off = r.out_offset;
    p_.m1 = r.in1.multiplier;
    p_.m2 = r.in2.multiplier;
    p_.mo = r.out.multiplier;
    p_.r1 = right(r.in1);
    p_.r2 = right(r.in2);
    p_.ro = right(r.out);
    p_.act_min = r.act_min;
    p_.act_max = r.act_max;
    n_ = a->num_elements();
    fn_ = PickAdd();
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    const int8_t* a = ctx.input(0)->data_as<int8_t>();
    const int8_t* b = ctx.input(1)->data_as<int8_t>();
    int8_t* y = ctx.output(0)->data_as<int8_t>();
    const int64_t blocks = (n_ + kBlock - 1) / kBlock;
    ctx.ParallelFor(blocks, [&](int64_t begin, int64_t end) {
      const int64_t lo = begin * kBlock, hi = std::min(end * kBlock, n_);
      fn_(p_, a + lo, b + lo, y + lo, hi - lo);
    });
  }

 private:
  QuantBinaryOp op_;
  Activation activation_;
  AddPlan p_;
  int64_t n_ = 0;
  AddFn fn_ = AddGeneric;
};

}  // namespace

std::unique_ptr<OpKernel> MakeAddInt8(bool subtract, Activation activation, const BackendConfig&) {
  return std::make_unique<AddInt8>(subtract ? QuantBinaryOp::kSub : QuantBinaryOp::kAdd, activation);
}

}  // namespace lithe::onednn
