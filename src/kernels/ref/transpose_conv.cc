#include "kernels/ref/transpose_conv.h"

#include <algorithm>

namespace lithe::ref {

int64_t TransposeConvTotalPadding(bool same, int32_t out, int32_t filter, int32_t stride) {
  const int64_t o = out, f = filter, s = stride;
  const int64_t n = same ? (o + s - 1) / s : (o + s - f) / s;
  const int64_t total = (n - 1) * s + f - o;
  return total > 0 ? total : 0;
}

int32_t TransposeConvPadding(bool same, int32_t out, int32_t filter, int32_t stride) {
  return static_cast<int32_t>(TransposeConvTotalPadding(same, out, filter, stride) / 2);
}

int64_t TransposeConvInputSize(bool same, int32_t out, int32_t filter, int32_t stride) {
  return (static_cast<int64_t>(out) + TransposeConvTotalPadding(same, out, filter, stride) - filter) / stride + 1;
}

namespace {

// The input positions that reach output position t + pad = `t` through some filter tap
// k = t - i * stride in [0, filter): i in [ceil((t - filter + 1) / stride), floor(t / stride)],
// clipped to [0, in). Empty (lo > hi) when none does.
void TapRange(int64_t t, int32_t filter, int32_t stride, int32_t in, int64_t* lo, int64_t* hi) {
  const int64_t first = t - filter + 1;
  *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  *hi = t < 0 ? -1 : std::min<int64_t>(t / stride, static_cast<int64_t>(in) - 1);
}

}  // namespace

void TransposeConvRows(const ConvGeometry& g, const float* input, const float* packed_filter, const float* bias,
                       float* output, int64_t row_begin, int64_t row_end) {
  const int64_t in_c = g.in_c, out_c = g.out_c;
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int64_t b = row / g.out_h, oy = row % g.out_h;
    const int64_t ty = oy + g.pad_top;
    int64_t iy_lo, iy_hi;
    TapRange(ty, g.filter_h, g.stride_h, g.in_h, &iy_lo, &iy_hi);
    float* out_row = output + row * g.out_w * out_c;
    for (int64_t ox = 0; ox < g.out_w; ++ox) {
      float* __restrict out = out_row + ox * out_c;
      std::fill(out, out + out_c, 0.f);
      const int64_t tx = ox + g.pad_left;
      int64_t ix_lo, ix_hi;
      TapRange(tx, g.filter_w, g.stride_w, g.in_w, &ix_lo, &ix_hi);
      for (int64_t iy = iy_lo; iy <= iy_hi; ++iy) {
        const int64_t ky = ty - iy * g.stride_h;
        for (int64_t ix = ix_lo; ix <= ix_hi; ++ix) {
          const int64_t kx = tx - ix * g.stride_w;
          const float* x = input + ((b * g.in_h + iy) * g.in_w + ix) * in_c;
          const float* w = packed_filter + (ky * g.filter_w + kx) * in_c * out_c;
          for (int64_t i = 0; i < in_c; ++i) {
            const float v = x[i];
            const float* __restrict wi = w + i * out_c;
            for (int64_t o = 0; o < out_c; ++o) out[o] += v * wi[o];
          }
        }
      }
      if (bias != nullptr)
        for (int64_t o = 0; o < out_c; ++o) out[o] += bias[o];
      for (int64_t o = 0; o < out_c; ++o) out[o] = std::min(std::max(out[o], g.act_min), g.act_max);
    }
  }
}

}  // namespace lithe::ref
