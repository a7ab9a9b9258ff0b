// lithe's exact AVX2 int8 depthwise convolution (int8_depthwise.h). Functions with AVX2
// instructions carry target("avx2") and run only when CpuHasAvx2().
#include "backends/onednn/int8_depthwise.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace lithe::onednn {
namespace {

using Plan = Int8Depthwise::Plan;

// Output rows [row_begin, row_end) (a row: one batch and oy) into y, with acc as scratch.
__attribute__((target("avx2"))) void RunRows(const Plan& p, const int8_t* x, int8_t* y, int32_t* acc,
                                             int64_t row_begin, int64_t row_end) {
  const ConvGemmShape& s = p.s;
  const int32_t c_all = s.in_c;
  const int32_t c_vec = c_all / 16 * 16;
  const __m256i zp = _mm256_set1_epi16(static_cast<int16_t>(p.zero_point));
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int64_t b = row / s.out_h;
    const int32_t oy = static_cast<int32_t>(row % s.out_h);
    const int8_t* image = x + b * s.in_h * s.in_w * c_all;
    const int32_t iy0 = oy * s.stride_h - s.pad_top;
    // Taps ky in [ky0, ky1) are inside the input.
    int32_t ky0 = 0, ky1 = s.kh;
    while (ky0 < ky1 && iy0 + ky0 * s.dil_h < 0) ++ky0;
    while (ky1 > ky0 && iy0 + (ky1 - 1) * s.dil_h >= s.in_h) --ky1;
    for (int32_t ox = 0; ox < s.out_w; ++ox) {
      const int32_t ix0 = ox * s.stride_w - s.pad_left;
      int32_t kx0 = 0, kx1 = s.kw;
      while (kx0 < kx1 && ix0 + kx0 * s.dil_w < 0) ++kx0;
      while (kx1 > kx0 && ix0 + (kx1 - 1) * s.dil_w >= s.in_w) --kx1;
      int32_t* a = acc + int64_t{ox} * c_all;
      if (ky0 == 0 && ky1 == s.kh && kx0 == 0 && kx1 == s.kw) {  // the whole window is inside
        const int8_t* corner = image + (int64_t{iy0} * s.in_w + ix0) * c_all;
        const int64_t npairs = static_cast<int64_t>(p.tap_off.size()) / 2;
        for (int32_t c = 0; c < c_vec; c += 16) {
          const int16_t* wp = p.pairs.data() + int64_t{c / 16} * npairs * 32;
          __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
          for (int64_t t = 0; t < npairs; ++t, wp += 32) {
            const __m128i x0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(corner + p.tap_off[2 * t] + c));
            const __m128i x1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(corner + p.tap_off[2 * t + 1] + c));
            const __m256i v0 = _mm256_sub_epi16(_mm256_cvtepi8_epi16(x0), zp);
            const __m256i v1 = _mm256_sub_epi16(_mm256_cvtepi8_epi16(x1), zp);
            const __m256i w_lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp));
            const __m256i w_hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 16));
            lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(v0, v1), w_lo));
            hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(v0, v1), w_hi));
          }
          // lo holds channels 0-3 and 8-11, hi 4-7 and 12-15.
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(a + c), _mm256_permute2x128_si256(lo, hi, 0x20));
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(a + c + 8), _mm256_permute2x128_si256(lo, hi, 0x31));
        }
      } else {
      for (int32_t c = 0; c < c_vec; c += 16) {
        __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
        for (int32_t ky = ky0; ky < ky1; ++ky) {
          const int8_t* in_row = image + int64_t{iy0 + ky * s.dil_h} * s.in_w * c_all + c;
          const int16_t* w_row = p.w.data() + int64_t{ky} * s.kw * c_all + c;
          for (int32_t kx = kx0; kx < kx1; ++kx) {
            const __m128i v8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in_row + int64_t{ix0 + kx * s.dil_w} * c_all));
            const __m256i v = _mm256_sub_epi16(_mm256_cvtepi8_epi16(v8), zp);
            const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w_row + int64_t{kx} * c_all));
            const __m256i prod = _mm256_mullo_epi16(v, w);
            lo = _mm256_add_epi32(lo, _mm256_cvtepi16_epi32(_mm256_castsi256_si128(prod)));
            hi = _mm256_add_epi32(hi, _mm256_cvtepi16_epi32(_mm256_extracti128_si256(prod, 1)));
          }
        }
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(a + c), lo);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(a + c + 8), hi);
      }
      }
      for (int32_t c = c_vec; c < c_all; ++c) {  // the last channels, one at a time
        int32_t sum = 0;
        for (int32_t ky = ky0; ky < ky1; ++ky)
          for (int32_t kx = kx0; kx < kx1; ++kx) {
            const int64_t at = (int64_t{iy0 + ky * s.dil_h} * s.in_w + ix0 + kx * s.dil_w) * c_all + c;
            sum += (int32_t{image[at]} - p.zero_point) * p.w[(int64_t{ky} * s.kw + kx) * c_all + c];
          }
        a[c] = sum;
      }
    }
    RequantizeBlock(p.q, acc, c_all, y + row * s.out_w * c_all, c_all, s.out_w, 0, c_all);
  }
}

}  // namespace

void Int8Depthwise::Init(PrepareContext& ctx, const ConvGemmShape& shape, const int8_t* weights,
                         int32_t input_zero_point, Int8Requant requant) {
  p_.s = shape;
  p_.zero_point = input_zero_point;
  p_.q = std::move(requant);
  const int64_t taps = int64_t{shape.kh} * shape.kw, c_all = shape.in_c;
  p_.w.assign(weights, weights + taps * c_all);
  const int64_t npairs = (taps + 1) / 2;
  p_.tap_off.assign(static_cast<size_t>(2 * npairs), 0);  // an odd last tap's partner reads the corner, weight 0
  for (int32_t ky = 0; ky < shape.kh; ++ky)
    for (int32_t kx = 0; kx < shape.kw; ++kx)
      p_.tap_off[static_cast<size_t>(ky * shape.kw + kx)] =
          (int64_t{ky} * shape.dil_h * shape.in_w + int64_t{kx} * shape.dil_w) * c_all;
  const int64_t blocks = c_all / 16;
  p_.pairs.assign(static_cast<size_t>(blocks * npairs * 32), 0);
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t t = 0; t < npairs; ++t)
      for (int half = 0; half < 2; ++half)  // vpunpcklwd's channels, then vpunpckhwd's
        for (int k = 0; k < 8; ++k) {
          const int64_t ch = b * 16 + (k < 4 ? k : k + 4) + 4 * half;
          int16_t* d = p_.pairs.data() + ((b * npairs + t) * 2 + half) * 16 + 2 * k;
          d[0] = weights[2 * t * c_all + ch];
          d[1] = 2 * t + 1 < taps ? weights[(2 * t + 1) * c_all + ch] : 0;
        }
  p_.slots = std::max(1, ctx.num_threads());
  p_.slot_bytes = (static_cast<size_t>(shape.out_w) * shape.in_c * sizeof(int32_t) + 63) / 64 * 64;
  scratch_ = ctx.RequestScratch(p_.slot_bytes * static_cast<size_t>(p_.slots));
}

void Int8Depthwise::Run(InvokeContext& ctx) const {
  const Plan& p = p_;
  const int8_t* x = ctx.input(0)->data_as<int8_t>();
  int8_t* y = ctx.output(0)->data_as<int8_t>();
  char* scratch = static_cast<char*>(ctx.scratch(scratch_));
  const int64_t rows = int64_t{p.s.batches} * p.s.out_h;
  ctx.ParallelFor(p.slots, [&](int64_t b, int64_t e) {
    for (int64_t slot = b; slot < e; ++slot) {
      int32_t* acc = reinterpret_cast<int32_t*>(scratch + static_cast<size_t>(slot) * p.slot_bytes);
      RunRows(p, x, y, acc, rows * slot / p.slots, rows * (slot + 1) / p.slots);
    }
  });
}

}  // namespace lithe::onednn
