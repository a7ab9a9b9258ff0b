// QUANTIZE float32 -> int8 (per tensor), bit-exact with the reference kernel
// (kernels/ref/elementwise_quant.h's AffineQuantizeOne, TensorFlow Lite's x86 arithmetic):
//   q = clamp(zero_point + round(x / scale))   division and rounding (half away from 0) in double
// four lanes at a time: the quotient is truncated, then moved one away from zero when the
// remainder is at least a half (exact: the remainder of a double and its truncation is exact).
// cvttpd2dq gives INT32_MIN for NaN and out-of-range quotients, as the reference reproduces; the
// zero point is then added with wrap-around and the result clamped.
#include <immintrin.h>

#include <algorithm>

#include "backends/onednn/engine.h"
#include "backends/onednn/kernels.h"
#include "kernels/ref/elementwise_quant.h"

namespace lithe::onednn {
namespace {

struct QuantizePlan {
  float scale = 1.f;
  int32_t zero_point = 0;
};

// Four quantized values, clamped to the int8 range, in int32 lanes.
__attribute__((target("avx2"), always_inline)) inline __m128i Four(const float* at, __m256d scale, __m128i zp) {
  const __m256d half = _mm256_set1_pd(0.5), minus_half = _mm256_set1_pd(-0.5), one = _mm256_set1_pd(1.0);
  const __m256d r = _mm256_div_pd(_mm256_cvtps_pd(_mm_loadu_ps(at)), scale);
  __m256d t = _mm256_round_pd(r, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256d d = _mm256_sub_pd(r, t);
  t = _mm256_add_pd(t, _mm256_and_pd(_mm256_cmp_pd(d, half, _CMP_GE_OQ), one));
  t = _mm256_sub_pd(t, _mm256_and_pd(_mm256_cmp_pd(d, minus_half, _CMP_LE_OQ), one));
  const __m128i q = _mm_add_epi32(_mm256_cvttpd_epi32(t), zp);
  return _mm_min_epi32(_mm_max_epi32(q, _mm_set1_epi32(-128)), _mm_set1_epi32(127));
}

__attribute__((target("avx2"))) void QuantizeAvx2(const QuantizePlan& p, const float* x, int8_t* y, int64_t n) {
  const __m256d scale = _mm256_set1_pd(static_cast<double>(p.scale));
  const __m128i zp = _mm_set1_epi32(p.zero_point);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i w = _mm_packs_epi32(Four(x + i, scale, zp), Four(x + i + 4, scale, zp));  // already in int8 range
    _mm_storel_epi64(reinterpret_cast<__m128i*>(y + i), _mm_packs_epi16(w, w));
  }
  for (; i < n; ++i) y[i] = static_cast<int8_t>(ref::AffineQuantizeOne(x[i], p.scale, p.zero_point, -128, 127));
}

constexpr int64_t kBlock = 16384;  // elements per parallel chunk

class QuantizeInt8 final : public OpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    const Tensor* x = ctx.input(0);
    const Tensor* y = ctx.output(0);
    if (!CpuHasAvx2()) return Status::Unsupported("the CPU has no AVX2");
    if (x == nullptr || y == nullptr || x->type != DType::kFloat32 || y->type != DType::kInt8)
      return Status::Unsupported("float32 -> int8 only");
    LITHE_ASSIGN_OR_RETURN(const QuantParams q, PerTensorQuant(ctx, *y, "output"));
    p_.scale = q.scale;
    p_.zero_point = q.zero_point;
    n_ = x->num_elements();
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    const float* x = ctx.input(0)->data_as<float>();
    int8_t* y = ctx.output(0)->data_as<int8_t>();
    ctx.ParallelFor((n_ + kBlock - 1) / kBlock, [&](int64_t b, int64_t e) {
      const int64_t lo = b * kBlock, hi = std::min(e * kBlock, n_);
      QuantizeAvx2(p_, x + lo, y + lo, hi - lo);
    });
  }

 private:
  QuantizePlan p_;
  int64_t n_ = 0;
};

}  // namespace

std::unique_ptr<OpKernel> MakeQuantizeInt8(const BackendConfig&) { return std::make_unique<QuantizeInt8>(); }

}  // namespace lithe::onednn
