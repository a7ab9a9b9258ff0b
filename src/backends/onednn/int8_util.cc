// The int8 kernels' shared pieces (int8_util.h): choosing an exact oneDNN implementation,
// TensorFlow Lite's requantization as a branch-free vector loop, and Int8Primitive.
#include "backends/onednn/int8_util.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <string>

#include "backends/onednn/engine.h"
#include "backends/onednn/int8_gemm.h"

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
std::atomic<Int8ImplForTesting> g_testing{Int8ImplForTesting::kAuto};
}  // namespace

bool CpuHasInt8Vnni() {
  const unsigned isa = static_cast<unsigned>(dnnl_get_effective_cpu_isa());
  const auto has = [isa](dnnl_cpu_isa_t want) { return (isa & static_cast<unsigned>(want)) == static_cast<unsigned>(want); };
  return has(dnnl_cpu_isa_avx512_core_vnni) || has(dnnl_cpu_isa_avx2_vnni);
}

void SetInt8ImplForTesting(Int8ImplForTesting which) { g_testing = which; }

Int8Impl PickInt8Impl(bool lithe_fits, std::string* why) {
  switch (g_testing.load()) {
    case Int8ImplForTesting::kOneDnnReference:
      return Int8Impl::kOneDnn;
    case Int8ImplForTesting::kLithe:
      if (lithe_fits && CpuHasAvx2()) return Int8Impl::kLithe;
      *why = lithe_fits ? "the CPU has no AVX2" : "not a case for lithe's int8 kernels";
      return Int8Impl::kNone;
    case Int8ImplForTesting::kAuto:
      break;
  }
  if (CpuHasInt8Vnni()) return Int8Impl::kOneDnn;
  if (lithe_fits && CpuHasAvx2()) return Int8Impl::kLithe;
  *why = "the CPU has no VNNI (oneDNN's int8 kernels would not be exact)";
  *why += lithe_fits ? " nor AVX2" : "; lithe's own AVX2 kernels cover CONV_2D with one group, DEPTHWISE_CONV_2D with depth multiplier 1 "
                          "and FULLY_CONNECTED";
  return Int8Impl::kNone;
}

std::string ChooseInt8Impl(dnnl::primitive_desc& pd) {
  if (g_testing == Int8ImplForTesting::kOneDnnReference && !CpuHasInt8Vnni()) {
    while (!IsReferenceImpl(pd))
      if (!pd.next_impl()) return "no oneDNN reference implementation";
  } else {
    if (!CpuHasInt8Vnni()) return "the CPU has no VNNI (oneDNN's int8 kernels would not be exact)";
    if (IsReferenceImpl(pd)) return "oneDNN 2.6 has only its reference kernel for this case";
  }
  const dnnl_memory_desc_t& w = pd.weights_desc().data;
  if ((w.extra.flags & dnnl_memory_extra_flag_scale_adjust) != 0 && w.extra.scale_adjust != 1.f)
    return "oneDNN would rescale the weights (not exact)";
  return "";
}

namespace {

template <Int8Rounding R>
inline __attribute__((always_inline)) void RequantBody(const Int8Requant& q, const int32_t* acc, int64_t acc_stride,
                                                        int8_t* out, int64_t out_stride, int64_t rows, int32_t c0,
                                                        int32_t c1) {
  const int32_t* bias = q.bias.data();
  const int32_t* mul = q.multiplier.data();
  const int32_t* left = q.left.data();
  const int32_t* right = q.right.data();
  const int32_t zp = q.output_zero_point, lo = q.act_min, hi = q.act_max;
  for (int64_t r = 0; r < rows; ++r) {
    const int32_t* a = acc + r * acc_stride;
    int8_t* o = out + r * out_stride;
    for (int32_t c = c0; c < c1; ++c) {
      const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(a[c]) + static_cast<uint32_t>(bias[c]));
      const int32_t v = R == Int8Rounding::kRuy ? RescaleRuy(x, mul[c], left[c], right[c])
                                                : RescaleAway(x, mul[c], left[c], right[c]);
      // v + zp may wrap in TFLite only for absurd values; compute in 64 bits like the reference.
      const int64_t y = static_cast<int64_t>(v) + zp;
      o[c] = static_cast<int8_t>(std::min<int64_t>(std::max<int64_t>(y, lo), hi));
    }
  }
}

#define LITHE_REQUANT_ARGS                                                                                     \
  const Int8Requant &q, const int32_t *acc, int64_t acc_stride, int8_t *out, int64_t out_stride, int64_t rows, \
      int32_t c0, int32_t c1

template <Int8Rounding R>
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"))) void RequantAvx512(LITHE_REQUANT_ARGS) {
  RequantBody<R>(q, acc, acc_stride, out, out_stride, rows, c0, c1);
}

// AVX2 has no 64-bit multiply-low, so GCC does not vectorize RequantBody's 64-bit products
// well (measured: about 1 ns per output, more than the GEMM itself for layers with small K).
// Here the products go through vpmuldq, 4 even and 4 odd lanes at a time.

__attribute__((target("avx2"), always_inline)) inline __m256i Load8(const int32_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// The low 32 bits of (p >> 31) for the 64-bit lanes of `even` (products of lanes 0, 2, 4, 6)
// and `odd` (lanes 1, 3, 5, 7), back in their 32-bit lanes.
__attribute__((target("avx2"), always_inline)) inline __m256i High31(__m256i even, __m256i odd) {
  return _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(_mm256_srli_epi64(odd, 31), 32), 0xAA);
}

// 64-bit products of the signed 32-bit lanes: even lanes, odd lanes.
__attribute__((target("avx2"), always_inline)) inline void Products(__m256i a, __m256i m, __m256i* even,
                                                                   __m256i* odd) {
  *even = _mm256_mul_epi32(a, m);
  *odd = _mm256_mul_epi32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(m, 32));
}

// RescaleRuy, 8 lanes.
__attribute__((target("avx2"), always_inline)) inline __m256i RescaleRuy8(__m256i x, __m256i m, __m256i left,
                                                                         __m256i right) {
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i shifted = _mm256_sllv_epi32(x, left);
  __m256i even, odd;
  Products(shifted, m, &even, &odd);
  const __m256i c30 = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m256i high = High31(_mm256_add_epi64(even, c30), _mm256_add_epi64(odd, c30));
  const __m256i nudge = _mm256_srli_epi32(_mm256_sllv_epi32(one, right), 1);
  const __m256i sat = _mm256_cmpgt_epi32(high, _mm256_sub_epi32(_mm256_set1_epi32(INT32_MAX), nudge));
  const __m256i rounded = _mm256_srav_epi32(_mm256_add_epi32(high, nudge), right);
  const __m256i saturated = _mm256_sllv_epi32(one, _mm256_sub_epi32(_mm256_set1_epi32(31), right));
  return _mm256_blendv_epi8(rounded, saturated, sat);
}

// RescaleAway (gemmlowp), 8 lanes. The doubling high multiply rounds half away from zero and
// truncates toward zero: for a product p >= 0 that is (p + 2^30) >> 31, for p < 0 it is
// -(((2^30 - 1) - p) >> 31); both shifts see a non-negative 64-bit value.
__attribute__((target("avx2"), always_inline)) inline __m256i RescaleAway8(__m256i x, __m256i m, __m256i left,
                                                                          __m256i right) {
  const __m256i one = _mm256_set1_epi32(1), zero = _mm256_setzero_si256();
  const __m256i a = _mm256_sllv_epi32(x, left);
  const __m256i int_min = _mm256_set1_epi32(INT32_MIN);
  const __m256i overflow = _mm256_and_si256(_mm256_cmpeq_epi32(a, m), _mm256_cmpeq_epi32(a, int_min));
  __m256i even, odd;
  Products(a, m, &even, &odd);
  const __m256i c30 = _mm256_set1_epi64x(int64_t{1} << 30), c30m1 = _mm256_set1_epi64x((int64_t{1} << 30) - 1);
  const __m256i neg_even = _mm256_cmpgt_epi64(zero, even), neg_odd = _mm256_cmpgt_epi64(zero, odd);
  const __m256i mag_even = _mm256_blendv_epi8(_mm256_add_epi64(even, c30), _mm256_sub_epi64(c30m1, even), neg_even);
  const __m256i mag_odd = _mm256_blendv_epi8(_mm256_add_epi64(odd, c30), _mm256_sub_epi64(c30m1, odd), neg_odd);
  const __m256i mag = High31(mag_even, mag_odd);
  const __m256i neg = _mm256_blend_epi32(neg_even, neg_odd, 0xAA);
  __m256i high = _mm256_blendv_epi8(mag, _mm256_sub_epi32(zero, mag), neg);
  high = _mm256_blendv_epi8(high, _mm256_set1_epi32(INT32_MAX), overflow);
  // Rounding division by 2^right, ties away from zero.
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
  const __m256i remainder = _mm256_and_si256(high, mask);
  const __m256i threshold = _mm256_add_epi32(_mm256_srli_epi32(mask, 1), _mm256_and_si256(_mm256_srai_epi32(high, 31), one));
  return _mm256_add_epi32(_mm256_srav_epi32(high, right), _mm256_and_si256(_mm256_cmpgt_epi32(remainder, threshold), one));
}

template <Int8Rounding R>
__attribute__((target("avx2"))) void RequantAvx2(LITHE_REQUANT_ARGS) {
  const int32_t zp = q.output_zero_point;
  // clamp(v + zp, lo, hi) == clamp(v, lo - zp, hi - zp) + zp, without the int32 overflow of v + zp.
  const __m256i lo = _mm256_set1_epi32(q.act_min - zp), hi = _mm256_set1_epi32(q.act_max - zp);
  const __m256i zpv = _mm256_set1_epi32(zp);
  const int32_t c_vec = c0 + (c1 - c0) / 8 * 8;
  // Locals: the int8 stores below may alias anything, so q's vectors would be reloaded.
  const int32_t* bias = q.bias.data();
  const int32_t* mul = q.multiplier.data();
  const int32_t* lsh = q.left.data();
  const int32_t* rsh = q.right.data();
  for (int64_t r = 0; r < rows; ++r) {
    const int32_t* a = acc + r * acc_stride;
    int8_t* o = out + r * out_stride;
    for (int32_t c = c0; c < c_vec; c += 8) {
      const __m256i x = _mm256_add_epi32(Load8(a + c), Load8(bias + c));
      const __m256i m = Load8(mul + c), left = Load8(lsh + c), right = Load8(rsh + c);
      __m256i v = R == Int8Rounding::kRuy ? RescaleRuy8(x, m, left, right) : RescaleAway8(x, m, left, right);
      v = _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(v, lo), hi), zpv);
      const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(o + c), _mm_packs_epi16(w, w));
    }
    if (c_vec < c1) RequantBody<R>(q, a, acc_stride, o, out_stride, 1, c_vec, c1);
  }
}

template <Int8Rounding R>
void RequantGeneric(LITHE_REQUANT_ARGS) {
  RequantBody<R>(q, acc, acc_stride, out, out_stride, rows, c0, c1);
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

void RequantizeBlock(LITHE_REQUANT_ARGS) {
  const bool ruy = q.rounding == Int8Rounding::kRuy;
  if (HasAvx512()) {
    if (ruy) RequantAvx512<Int8Rounding::kRuy>(q, acc, acc_stride, out, out_stride, rows, c0, c1);
    else RequantAvx512<Int8Rounding::kAwayFromZero>(q, acc, acc_stride, out, out_stride, rows, c0, c1);
  } else if (HasAvx2()) {
    if (ruy) RequantAvx2<Int8Rounding::kRuy>(q, acc, acc_stride, out, out_stride, rows, c0, c1);
    else RequantAvx2<Int8Rounding::kAwayFromZero>(q, acc, acc_stride, out, out_stride, rows, c0, c1);
  } else {
    if (ruy) RequantGeneric<Int8Rounding::kRuy>(q, acc, acc_stride, out, out_stride, rows, c0, c1);
    else RequantGeneric<Int8Rounding::kAwayFromZero>(q, acc, acc_stride, out, out_stride, rows, c0, c1);
  }
}

#undef LITHE_REQUANT_ARGS

void Requantize(const Int8Requant& q, const int32_t* acc, int8_t* out, int64_t begin, int64_t end) {
  RequantizeBlock(q, acc + begin * q.channels, q.channels, out + begin * q.channels, q.channels, end - begin, 0,
                  q.channels);
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
  ctx.ParallelFor(rows_, [&](int64_t b, int64_t e) { Requantize(q_, acc, y, b, e); }, q_.channels);
}

}  // namespace lithe::onednn
