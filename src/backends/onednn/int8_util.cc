// The int8 kernels' shared pieces (int8_util.h): choosing an exact oneDNN implementation,
// TensorFlow Lite's requantization as a branch-free vector loop, and Int8Primitive.
#include "backends/onednn/int8_util.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <string>

#include "backends/onednn/engine.h"

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
}  // namespace

bool CpuHasInt8Vnni() {
  const unsigned isa = static_cast<unsigned>(dnnl_get_effective_cpu_isa());
  const auto has = [isa](dnnl_cpu_isa_t want) { return (isa & static_cast<unsigned>(want)) == static_cast<unsigned>(want); };
  return has(dnnl_cpu_isa_avx512_core_vnni) || has(dnnl_cpu_isa_avx2_vnni);
}

void SetInt8ReferenceImplsForTesting(bool on) { g_reference_for_testing = on; }

std::string ChooseInt8Impl(dnnl::primitive_desc& pd) {
  if (g_reference_for_testing && !CpuHasInt8Vnni()) {
    while (!IsReferenceImpl(pd))
      if (!pd.next_impl()) return "no oneDNN reference implementation";
  } else if (!g_reference_for_testing) {
    if (!CpuHasInt8Vnni()) return "the CPU has no VNNI (oneDNN's int8 kernels would not be exact)";
    if (IsReferenceImpl(pd)) return "oneDNN 2.6 has only its reference kernel for this case";
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

void Int8Primitive::Init(PrepareContext& ctx, const dnnl::primitive_desc& pd, const dnnl::primitive& prim,
                         const dnnl::memory::desc& src_md, const dnnl::memory::desc& dst_md,
                         const dnnl::memory& weights, int64_t rows, Int8Requant requant) {
  const dnnl::engine& eng = Engine();
  prim_ = prim;
  q_ = std::move(requant);
  rows_ = rows;
  src_ = dnnl::memory(src_md, eng, DNNL_MEMORY_NONE);
  dst_ = dnnl::memory(dst_md, eng, DNNL_MEMORY_NONE);
  args_ = {{DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst_}};
  acc_scratch_ = ctx.RequestScratch(dst_md.get_size());
  const dnnl::memory::desc sp_md = pd.scratchpad_desc();
  sp_scratch_ = -1;
  if (sp_md.get_size() > 0) {
    scratchpad_ = dnnl::memory(sp_md, eng, DNNL_MEMORY_NONE);
    args_[DNNL_ARG_SCRATCHPAD] = scratchpad_;
    sp_scratch_ = ctx.RequestScratch(sp_md.get_size());
  }
}

void Int8Primitive::Run(InvokeContext& ctx) {
  // Scratch from the interpreter is 64-byte aligned (the arena's alignment).
  int32_t* acc = static_cast<int32_t*>(ctx.scratch(acc_scratch_));
  src_.set_data_handle(const_cast<void*>(ctx.input(0)->data));
  dst_.set_data_handle(acc);
  if (sp_scratch_ >= 0) scratchpad_.set_data_handle(ctx.scratch(sp_scratch_));
  dnnl::stream& s = Stream();
  prim_.execute(s, args_);
  s.wait();
  int8_t* y = ctx.output(0)->data_as<int8_t>();
  ctx.ParallelFor(rows_, [&](int64_t b, int64_t e) { Requantize(q_, acc, y, b, e); });
}

}  // namespace lithe::onednn
