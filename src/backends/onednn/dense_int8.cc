// FULLY_CONNECTED with int8 input / output and int8 per-tensor symmetric weights on oneDNN's
// matmul (s8 x s8 -> s32), then TFLite's ruy requantization (int8_util.h). The input zero point
// is folded into the bias at Prepare, exactly in TFLite's wrapping int32 arithmetic:
//   sum_i (x_i - zp) * w_i + b = sum_i x_i * w_i + (b - zp * sum_i w_i).
// Also holds Requantize, shared with conv_int8.cc.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>

#include "backends/onednn/engine.h"
#include "backends/onednn/int8_util.h"
#include "backends/onednn/kernels.h"
#include "kernels/ref/dense_quant.h"

namespace lithe::onednn {

std::string Int8Requant::SetMultipliers(const std::vector<ref::QuantizedMultiplier>& m) {
  multiplier.resize(m.size());
  left.resize(m.size());
  right.resize(m.size());
  for (size_t c = 0; c < m.size(); ++c) {
    if (m[c].shift > 30 || m[c].shift < -31) return "rescale shift " + std::to_string(m[c].shift) + " out of range";
    multiplier[c] = m[c].multiplier;
    left[c] = m[c].shift > 0 ? m[c].shift : 0;
    right[c] = m[c].shift > 0 ? 0 : -m[c].shift;
  }
  return "";
}

namespace {
std::atomic<bool> g_reference_for_testing{false};
bool IsRef(const std::string& impl) { return impl.find("ref") != std::string::npos; }
}  // namespace

bool CpuHasInt8Vnni() {
  const unsigned isa = static_cast<unsigned>(dnnl_get_effective_cpu_isa());
  const auto has = [isa](dnnl_cpu_isa_t want) { return (isa & static_cast<unsigned>(want)) == static_cast<unsigned>(want); };
  return has(dnnl_cpu_isa_avx512_core_vnni) || has(dnnl_cpu_isa_avx2_vnni);
}

void SetInt8ReferenceImplsForTesting(bool on) { g_reference_for_testing = on; }

std::string ChooseInt8Impl(dnnl::primitive_desc& pd) {
  if (g_reference_for_testing && !CpuHasInt8Vnni()) {
    while (!IsRef(pd.impl_info_str()))
      if (!pd.next_impl()) return "no oneDNN reference implementation";
  } else if (!g_reference_for_testing) {
    if (!CpuHasInt8Vnni()) return "the CPU has no VNNI (oneDNN's int8 kernels would not be exact)";
    if (IsRef(pd.impl_info_str())) return "oneDNN 2.6 has only its reference kernel for this case";
  }
  const dnnl_memory_desc_t& w = pd.weights_desc().data;
  if ((w.extra.flags & dnnl_memory_extra_flag_scale_adjust) != 0 && w.extra.scale_adjust != 1.f)
    return "oneDNN would rescale the weights (not exact)";
  return "";
}

namespace {

// MultiplyByQuantizedMultiplierRuy without branches (left <= 30, right <= 31).
inline int32_t RescaleRuy(int32_t x, int32_t m, int32_t left, int32_t right) {
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  const int64_t prod = static_cast<int64_t>(shifted) * m + (int64_t{1} << 30);
  const int32_t high = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(prod) >> 31));
  const int32_t nudge = static_cast<int32_t>((uint32_t{1} << right) >> 1);
  const bool sat = high > std::numeric_limits<int32_t>::max() - nudge;
  const int32_t rounded = static_cast<int32_t>(static_cast<uint32_t>(high) + static_cast<uint32_t>(nudge)) >> right;
  const int32_t saturated = static_cast<int32_t>(uint32_t{1} << (31 - right));
  return sat ? saturated : rounded;
}

// gemmlowp's MultiplyByQuantizedMultiplier without branches.
inline int32_t RescaleAway(int32_t x, int32_t m, int32_t left, int32_t right) {
  const int32_t a = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  const bool overflow = a == m && a == std::numeric_limits<int32_t>::min();
  const int64_t ab = static_cast<int64_t>(a) * m;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  const int64_t num = ab + nudge;
  // Division by 2^31 truncating toward zero.
  const int64_t q = (num + (num < 0 ? (int64_t{1} << 31) - 1 : 0)) >> 31;
  const int32_t high = overflow ? std::numeric_limits<int32_t>::max() : static_cast<int32_t>(q);
  const int32_t mask = static_cast<int32_t>((uint32_t{1} << right) - 1);
  const int32_t remainder = high & mask;
  const int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> right) + (remainder > threshold ? 1 : 0);
}

template <Int8Rounding R>
inline __attribute__((always_inline)) void RequantBody(const Int8Requant& q, const int32_t* acc, int8_t* out,
                                                        int64_t begin, int64_t end) {
  const int32_t n = q.channels;
  const int32_t* bias = q.bias.data();
  const int32_t* mul = q.multiplier.data();
  const int32_t* left = q.left.data();
  const int32_t* right = q.right.data();
  const int32_t zp = q.output_zero_point, lo = q.act_min, hi = q.act_max;
  for (int64_t r = begin; r < end; ++r) {
    const int32_t* a = acc + r * n;
    int8_t* o = out + r * n;
    for (int32_t c = 0; c < n; ++c) {
      const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(a[c]) + static_cast<uint32_t>(bias[c]));
      const int32_t v = R == Int8Rounding::kRuy ? RescaleRuy(x, mul[c], left[c], right[c])
                                                : RescaleAway(x, mul[c], left[c], right[c]);
      // v + zp may wrap in TFLite only for absurd values; compute in 64 bits like the reference.
      const int64_t y = static_cast<int64_t>(v) + zp;
      o[c] = static_cast<int8_t>(std::min<int64_t>(std::max<int64_t>(y, lo), hi));
    }
  }
}

template <Int8Rounding R>
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"))) void RequantAvx512(const Int8Requant& q,
                                                                                const int32_t* acc, int8_t* out,
                                                                                int64_t begin, int64_t end) {
  RequantBody<R>(q, acc, out, begin, end);
}

template <Int8Rounding R>
__attribute__((target("avx2"))) void RequantAvx2(const Int8Requant& q, const int32_t* acc, int8_t* out, int64_t begin,
                                                 int64_t end) {
  RequantBody<R>(q, acc, out, begin, end);
}

template <Int8Rounding R>
void RequantGeneric(const Int8Requant& q, const int32_t* acc, int8_t* out, int64_t begin, int64_t end) {
  RequantBody<R>(q, acc, out, begin, end);
}

bool HasAvx512() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  return has;
}

bool HasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}

}  // namespace

void Requantize(const Int8Requant& q, const int32_t* acc, int8_t* out, int64_t begin, int64_t end) {
  const bool ruy = q.rounding == Int8Rounding::kRuy;
  if (HasAvx512()) {
    if (ruy) RequantAvx512<Int8Rounding::kRuy>(q, acc, out, begin, end);
    else RequantAvx512<Int8Rounding::kAwayFromZero>(q, acc, out, begin, end);
  } else if (HasAvx2()) {
    if (ruy) RequantAvx2<Int8Rounding::kRuy>(q, acc, out, begin, end);
    else RequantAvx2<Int8Rounding::kAwayFromZero>(q, acc, out, begin, end);
  } else {
    if (ruy) RequantGeneric<Int8Rounding::kRuy>(q, acc, out, begin, end);
    else RequantGeneric<Int8Rounding::kAwayFromZero>(q, acc, out, begin, end);
  }
}

namespace {

class FullyConnectedInt8 final : public OpKernel {
 public:
  explicit FullyConnectedInt8(const FullyConnectedOptions& o) : o_(o) {}

  Status Prepare(PrepareContext& ctx) override {
    const Tensor* xp = ctx.input(0);
    const Tensor* wp = ctx.input(1);
    const Tensor* bias = ctx.input(2);
    if (xp == nullptr || wp == nullptr || ctx.output(0) == nullptr) return Status::Unsupported("missing operands");
    const Tensor& x = *xp;
    const Tensor& w = *wp;
    if (x.type != DType::kInt8) return Status::Unsupported(DTypeName(x.type) + " input (int8 only)");
    if (w.type != DType::kInt8) return Status::Unsupported(DTypeName(w.type) + " weights (int8 only)");
    if (ctx.output(0)->type != DType::kInt8) return Status::Unsupported("non-int8 output");
    if (!w.is_constant || w.data == nullptr) return Status::Unsupported("non-constant weights");
    if (w.sparsity != nullptr) return Status::Unsupported("sparse weights");
    if (bias != nullptr && (bias->type != DType::kInt32 || !bias->is_constant || bias->data == nullptr))
      return Status::Unsupported("bias not a constant int32 tensor");
    LITHE_ASSIGN_OR_RETURN(const DenseDims d, PrepareDenseDims(ctx, o_.keep_num_dims));
    if (d.batch < 1 || d.units < 1 || d.k < 1) return Status::Unsupported("empty tensor");
    if (w.quant == nullptr || w.quant->scale.size() != 1) return Status::Unsupported("weights not per-tensor");
    LITHE_ASSIGN_OR_RETURN(const QuantParams qx, PerTensorQuant(ctx, x, "input"));
    LITHE_ASSIGN_OR_RETURN(const QuantParams qw, PerTensorQuant(ctx, w, "weights"));
    LITHE_ASSIGN_OR_RETURN(const QuantParams qy, PerTensorQuant(ctx, *ctx.output(0), "output"));
    if (qw.zero_point != 0) return Status::Unsupported("nonzero weight zero point");
    rows_ = d.batch;
    units_ = d.units;

    // Same multiplier as the reference kernel (float product, then double).
    const double product_scale = static_cast<double>(qx.scale * qw.scale);
    const ref::QuantizedMultiplier m = ref::QuantizeMultiplier(product_scale / static_cast<double>(qy.scale));
    q_ = Int8Requant{};
    q_.rounding = Int8Rounding::kRuy;
    q_.channels = d.units;
    const std::string why = q_.SetMultipliers(std::vector<ref::QuantizedMultiplier>(d.units, m));
    if (!why.empty()) return Status::Unsupported(why);
    q_.output_zero_point = qy.zero_point;
    QuantizedActivationRange(o_.activation, qy, &q_.act_min, &q_.act_max);
    // Bias with the input zero point folded in (wrapping int32, as TFLite's accumulator).
    const int8_t* wd = w.data_as<int8_t>();
    const int32_t* bd = bias != nullptr ? bias->data_as<int32_t>() : nullptr;
    q_.bias.resize(d.units);
    for (int32_t u = 0; u < d.units; ++u) {
      uint32_t sum = 0;
      for (int32_t i = 0; i < d.k; ++i) sum += static_cast<uint32_t>(int32_t{wd[static_cast<int64_t>(u) * d.k + i]});
      uint32_t b = bd != nullptr ? static_cast<uint32_t>(bd[u]) : 0u;
      b -= static_cast<uint32_t>(qx.zero_point) * sum;
      q_.bias[u] = static_cast<int32_t>(b);
    }

    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    try {
      const dnnl::engine& eng = Engine();
      const dnnl::memory::dims src_dims{d.batch, d.k}, w_dims{d.k, d.units}, dst_dims{d.batch, d.units};
      const dnnl::memory::desc src_md(src_dims, dt::s8, tag::ab);
      const dnnl::memory::desc w_user_md(w_dims, dt::s8, tag::ba);  // TFLite's [units, k]
      const dnnl::memory::desc w_any_md(w_dims, dt::s8, tag::any);
      const dnnl::memory::desc dst_md(dst_dims, dt::s32, tag::ab);
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src_md, w_any_md, dst_md), attr, eng);
      const std::string why_not = ChooseInt8Impl(pd);
      if (!why_not.empty()) return Status::Unsupported(why_not);
      const std::string impl = pd.impl_info_str();
      weights_ = dnnl::memory(pd.weights_desc(), eng);
      dnnl::memory w_user(w_user_md, eng, const_cast<void*>(w.data));
      dnnl::reorder(w_user, weights_).execute(Stream(), w_user, weights_);
      Stream().wait();
      src_ = dnnl::memory(src_md, eng, DNNL_MEMORY_NONE);
      dst_ = dnnl::memory(dst_md, eng, DNNL_MEMORY_NONE);
      const size_t sp_bytes = pd.scratchpad_desc().get_size();
      scratchpad_ = dnnl::memory(pd.scratchpad_desc(), eng, DNNL_MEMORY_NONE);
      prim_ = dnnl::matmul(pd);
      args_ = {{DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst_},
               {DNNL_ARG_SCRATCHPAD, scratchpad_}};
      acc_scratch_ = ctx.RequestScratch(static_cast<size_t>(d.batch) * d.units * sizeof(int32_t) + kScratchSlack);
      sp_scratch_ = sp_bytes > 0 ? ctx.RequestScratch(sp_bytes + kScratchSlack) : -1;
      ctx.SetNote("int8 matmul (" + impl + ")");
    } catch (const dnnl::error& e) {
      return Status::Unsupported(std::string("oneDNN: ") + e.what());
    }
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    int32_t* acc = static_cast<int32_t*>(Align64(ctx.scratch(acc_scratch_)));
    src_.set_data_handle(const_cast<void*>(ctx.input(0)->data));
    dst_.set_data_handle(acc);
    if (sp_scratch_ >= 0) scratchpad_.set_data_handle(Align64(ctx.scratch(sp_scratch_)));
    dnnl::stream& s = Stream();
    prim_.execute(s, args_);
    s.wait();
    int8_t* y = ctx.output(0)->data_as<int8_t>();
    const Int8Requant& q = q_;
    ctx.ParallelFor(rows_, [&](int64_t b, int64_t e) { Requantize(q, acc, y, b, e); });
  }

 private:
  FullyConnectedOptions o_;
  int64_t rows_ = 0;
  int32_t units_ = 0;
  Int8Requant q_;
  dnnl::memory src_, weights_, dst_, scratchpad_;
  dnnl::matmul prim_;
  std::unordered_map<int, dnnl::memory> args_;
  int acc_scratch_ = -1, sp_scratch_ = -1;
};

}  // namespace

std::unique_ptr<OpKernel> MakeFullyConnectedInt8(const FullyConnectedOptions& o, const BackendConfig&) {
  return std::make_unique<FullyConnectedInt8>(o);
}

}  // namespace lithe::onednn
