#include "kernels/ref/conv.h"

#include <algorithm>
#include <limits>

namespace lithe::ref {

namespace {

// acc[j] += v * w[j] for j < n: one input value times a row of filter weights, one per output
// channel. Independent across j, so it vectorizes without changing any sum's order.
inline void AccumulateScaled(float* __restrict acc, float v, const float* __restrict w, int32_t n) {
  for (int32_t j = 0; j < n; ++j) acc[j] += v * w[j];
}

// out[j] = clamp(out[j] + bias[j]): TFLite adds the bias after the sum, then clamps.
inline void AddBiasAndClamp(float* out, const float* bias, int32_t n, float lo, float hi) {
  if (bias != nullptr) {
    for (int32_t j = 0; j < n; ++j) out[j] = std::min(std::max(out[j] + bias[j], lo), hi);
  } else {
    for (int32_t j = 0; j < n; ++j) out[j] = std::min(std::max(out[j], lo), hi);
  }
}

}  // namespace

bool ComputeWindow(bool same, int32_t in, int32_t filter, int32_t stride, int32_t dilation, Window* w) {
  if (in < 0 || filter < 1 || stride < 1 || dilation < 1) return false;
  const int64_t eff = (static_cast<int64_t>(filter) - 1) * dilation + 1;
  if (eff > std::numeric_limits<int32_t>::max()) return false;
  int64_t out = 0;
  if (same) {
    out = (static_cast<int64_t>(in) + stride - 1) / stride;
  } else if (in >= eff) {
    out = (in - eff) / stride + 1;
  }
  // With out >= 1, (out - 1) * stride <= in - 1, so total < eff and fits int32.
  const int64_t total = (out - 1) * stride + eff - in;
  w->out = static_cast<int32_t>(out);
  w->pad = out > 0 && total > 0 ? static_cast<int32_t>(total / 2) : 0;
  return true;
}

void PackConvFilter(const float* ohwi, int32_t out_c, int32_t filter_h, int32_t filter_w,
                    int32_t group_in_c, int32_t groups, float* packed) {
  const int64_t go = out_c / groups;
  const int64_t taps = static_cast<int64_t>(filter_h) * filter_w;
  for (int64_t o = 0; o < out_c; ++o) {
    const int64_t grp = o / go, og = o % go;
    for (int64_t t = 0; t < taps; ++t) {
      const float* src = ohwi + (o * taps + t) * group_in_c;
      float* dst = packed + ((grp * taps + t) * group_in_c) * go + og;
      for (int64_t i = 0; i < group_in_c; ++i) dst[i * go] = src[i];
    }
  }
}

void Conv2DRows(const ConvGeometry& g, int32_t groups, const float* input, const float* packed_filter,
                const float* bias, float* output, int64_t row_begin, int64_t row_end) {
  const int32_t gi = g.in_c / groups, go = g.out_c / groups;
  const int64_t group_filter = static_cast<int64_t>(g.filter_h) * g.filter_w * gi * go;
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int64_t b = row / g.out_h, oy = row % g.out_h;
    const int64_t iy0 = oy * g.stride_h - g.pad_top;
    float* out_row = output + row * g.out_w * g.out_c;
    for (int64_t ox = 0; ox < g.out_w; ++ox) {
      float* out = out_row + ox * g.out_c;
      std::fill(out, out + g.out_c, 0.f);
      const int64_t ix0 = ox * g.stride_w - g.pad_left;
      for (int32_t grp = 0; grp < groups; ++grp) {
        float* acc = out + static_cast<int64_t>(grp) * go;
        for (int32_t ky = 0; ky < g.filter_h; ++ky) {
          const int64_t iy = iy0 + static_cast<int64_t>(ky) * g.dilation_h;
          if (iy < 0 || iy >= g.in_h) continue;
          const float* in_row = input + (b * g.in_h + iy) * g.in_w * g.in_c + static_cast<int64_t>(grp) * gi;
          for (int32_t kx = 0; kx < g.filter_w; ++kx) {
            const int64_t ix = ix0 + static_cast<int64_t>(kx) * g.dilation_w;
            if (ix < 0 || ix >= g.in_w) continue;
            const float* x = in_row + ix * g.in_c;
            const float* w = packed_filter + grp * group_filter +
                             (static_cast<int64_t>(ky) * g.filter_w + kx) * gi * go;
            for (int32_t i = 0; i < gi; ++i) AccumulateScaled(acc, x[i], w + static_cast<int64_t>(i) * go, go);
          }
        }
      }
      AddBiasAndClamp(out, bias, g.out_c, g.act_min, g.act_max);
    }
  }
}

void DepthwiseConv2DRows(const ConvGeometry& g, const float* input, const float* filter,
                         const float* bias, float* output, int64_t row_begin, int64_t row_end) {
  const int32_t m = g.out_c / g.in_c;  // depth multiplier
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int64_t b = row / g.out_h, oy = row % g.out_h;
    const int64_t iy0 = oy * g.stride_h - g.pad_top;
    float* out_row = output + row * g.out_w * g.out_c;
    for (int64_t ox = 0; ox < g.out_w; ++ox) {
      float* __restrict out = out_row + ox * g.out_c;
      std::fill(out, out + g.out_c, 0.f);
      const int64_t ix0 = ox * g.stride_w - g.pad_left;
      for (int32_t ky = 0; ky < g.filter_h; ++ky) {
        const int64_t iy = iy0 + static_cast<int64_t>(ky) * g.dilation_h;
        if (iy < 0 || iy >= g.in_h) continue;
        const float* in_row = input + (b * g.in_h + iy) * g.in_w * g.in_c;
        for (int32_t kx = 0; kx < g.filter_w; ++kx) {
          const int64_t ix = ix0 + static_cast<int64_t>(kx) * g.dilation_w;
          if (ix < 0 || ix >= g.in_w) continue;
          const float* __restrict x = in_row + ix * g.in_c;
          const float* __restrict w = filter + (static_cast<int64_t>(ky) * g.filter_w + kx) * g.out_c;
          if (m == 1) {
            for (int32_t c = 0; c < g.out_c; ++c) out[c] += x[c] * w[c];
          } else {
            for (int32_t i = 0; i < g.in_c; ++i) {
              const int64_t o = static_cast<int64_t>(i) * m;
              AccumulateScaled(out + o, x[i], w + o, m);
            }
          }
        }
      }
      AddBiasAndClamp(out, bias, g.out_c, g.act_min, g.act_max);
    }
  }
}

void PackTransposeConvFilter(const float* ohwi, int32_t out_c, int32_t filter_h, int32_t filter_w,
                             int32_t in_c, float* packed) {
  // The same rearrangement as a one-group CONV_2D filter.
  PackConvFilter(ohwi, out_c, filter_h, filter_w, in_c, 1, packed);
}

void TransposeConvBiasRows(const ConvGeometry& g, const float* input, const float* packed_filter,
                           const float* bias, float* output, int64_t row_begin, int64_t row_end) {
  // Output y receives input row iy through filter row ky = y + pad_top - iy * stride_h, for the
  // iy where 0 <= ky < filter_h: iy in [ceil((t - filter_h + 1) / s), floor(t / s)], t = y + pad.
  auto range = [](int64_t t, int32_t filter, int32_t stride, int32_t in, int64_t* lo, int64_t* hi) {
    const int64_t first = t - filter + 1;
    *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
    *hi = std::min<int64_t>(t / stride, static_cast<int64_t>(in) - 1);
  };
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int64_t b = row / g.out_h, oy = row % g.out_h;
    const int64_t ty = oy + g.pad_top;
    int64_t iy_lo, iy_hi;
    range(ty, g.filter_h, g.stride_h, g.in_h, &iy_lo, &iy_hi);
    float* out_row = output + row * g.out_w * g.out_c;
    for (int64_t ox = 0; ox < g.out_w; ++ox) {
      float* out = out_row + ox * g.out_c;
      std::copy(bias, bias + g.out_c, out);
      const int64_t tx = ox + g.pad_left;
      int64_t ix_lo, ix_hi;
      range(tx, g.filter_w, g.stride_w, g.in_w, &ix_lo, &ix_hi);
      for (int64_t iy = iy_lo; iy <= iy_hi; ++iy) {
        const int64_t ky = ty - iy * g.stride_h;
        for (int64_t ix = ix_lo; ix <= ix_hi; ++ix) {
          const int64_t kx = tx - ix * g.stride_w;
          const float* x = input + ((b * g.in_h + iy) * g.in_w + ix) * g.in_c;
          const float* w = packed_filter + (ky * g.filter_w + kx) * g.in_c * g.out_c;
          if (g.out_c == 1) {
            // One output channel (a segmentation mask): a dot product over the input channels,
            // in the same order as the general loop.
            float acc = out[0];
            for (int32_t i = 0; i < g.in_c; ++i) acc += x[i] * w[i];
            out[0] = acc;
          } else {
            for (int32_t i = 0; i < g.in_c; ++i)
              AccumulateScaled(out, x[i], w + static_cast<int64_t>(i) * g.out_c, g.out_c);
          }
        }
      }
    }
  }
}

}  // namespace lithe::ref
