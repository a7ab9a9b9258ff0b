#include "backends/onednn/conv_gemm_float.h"

#include <dnnl.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>

namespace lithe::onednn {
namespace {

// Scratch for the windows, all rows at once (sgemm packs its operands per call, so one large
// call beats many small ones).
constexpr size_t kMaxScratchBytes = size_t{256} << 20;

std::atomic<FloatConvImplForTesting> g_override{FloatConvImplForTesting::kAuto};

}  // namespace

void SetFloatConvImplForTesting(FloatConvImplForTesting which) { g_override.store(which); }
FloatConvImplForTesting FloatConvImplOverride() { return g_override.load(); }

bool FloatConvGemmPays(const ConvGemmShape& s) {
  // lithe bench --profile on resnet18 and the MediaPipe models (AVX2, 1 thread): the GEMM wins
  // from about K = 1024 (3x3 over 128 channels); below, oneDNN's direct kernels (and jit_1x1
  // for 1x1 filters) are as fast or faster and copy nothing.
  const int64_t k = int64_t{s.kh} * s.kw * s.in_c;
  return s.kh * s.kw > 1 && k >= 1024 && s.out_c >= 32;
}

Status FloatConvGemm::Init(PrepareContext& ctx, const ConvGemmShape& s, const float* filter, const float* bias,
                           Activation activation) {
  switch (activation) {
    case Activation::kNone: clamp_ = false; break;
    case Activation::kRelu: clamp_ = true, lo_ = 0.f, hi_ = std::numeric_limits<float>::infinity(); break;
    case Activation::kRelu6: clamp_ = true, lo_ = 0.f, hi_ = 6.f; break;
    case Activation::kReluN1To1: clamp_ = true, lo_ = -1.f, hi_ = 1.f; break;
    default: return Status::Unsupported("activation");
  }
  s_ = s;
  k_ = int64_t{s.kh} * s.kw * s.in_c;
  rows_ = int64_t{s.batches} * s.out_h * s.out_w;
  direct_ = s.kh == 1 && s.kw == 1 && s.stride_h == 1 && s.stride_w == 1 && s.pad_top == 0 && s.pad_left == 0 &&
            s.out_h == s.in_h && s.out_w == s.in_w;
  if (!direct_) {
    const size_t bytes = static_cast<size_t>(rows_) * static_cast<size_t>(k_) * sizeof(float);
    if (bytes > kMaxScratchBytes) return Status::Unsupported("layer too large for the GEMM's scratch");
    scratch_ = ctx.RequestScratch(bytes);
  }
  // W[k, o] = filter[o, k], in blocks of 64 k so that the written lines stay in cache.
  w_.assign(static_cast<size_t>(k_) * s.out_c, 0.f);
  for (int64_t k0 = 0; k0 < k_; k0 += 64) {
    const int64_t k1 = std::min<int64_t>(k_, k0 + 64);
    for (int64_t o = 0; o < s.out_c; ++o)
      for (int64_t k = k0; k < k1; ++k) w_[static_cast<size_t>(k * s.out_c + o)] = filter[o * k_ + k];
  }
  bias_.assign(static_cast<size_t>(s.out_c), 0.f);
  if (bias != nullptr) std::copy_n(bias, s.out_c, bias_.begin());
  ctx.SetNote("im2col + sgemm");
  return Status::Ok();
}

void FloatConvGemm::Im2Col(const float* x, float* a, int64_t begin, int64_t end) const {
  const ConvGemmShape& s = s_;
  const size_t run = static_cast<size_t>(s.in_c) * sizeof(float);
  for (int64_t p = begin; p < end; ++p) {
    const int64_t b = p / (int64_t{s.out_h} * s.out_w);
    const int64_t oy = p / s.out_w % s.out_h, ox = p % s.out_w;
    float* dst = a + p * k_;
    for (int32_t ky = 0; ky < s.kh; ++ky) {
      const int64_t iy = oy * s.stride_h - s.pad_top + int64_t{ky} * s.dil_h;
      for (int32_t kx = 0; kx < s.kw; ++kx, dst += s.in_c) {
        const int64_t ix = ox * s.stride_w - s.pad_left + int64_t{kx} * s.dil_w;
        if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) {
          std::memset(dst, 0, run);
        } else {
          std::memcpy(dst, x + ((b * s.in_h + iy) * s.in_w + ix) * s.in_c, run);
        }
      }
    }
  }
}

void FloatConvGemm::Run(InvokeContext& ctx, const float* x, float* y) const {
  const float* a = x;
  if (!direct_) {
    float* cols = static_cast<float*>(ctx.scratch(scratch_));
    ctx.ParallelFor(rows_, [&](int64_t b, int64_t e) { Im2Col(x, cols, b, e); });
    a = cols;
  }
  const int64_t n = s_.out_c;
  // Row-major: y[rows x n] = a[rows x k] * w[k x n]. The dimensions were checked at Prepare
  // (tensors under kMaxElements), so the call cannot fail on arguments.
  dnnl_sgemm('N', 'N', rows_, n, k_, 1.f, a, k_, w_.data(), n, 0.f, y, n);
  ctx.ParallelFor(rows_, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      float* row = y + p * n;
      if (clamp_) {
        for (int64_t o = 0; o < n; ++o) row[o] = std::min(std::max(row[o] + bias_[o], lo_), hi_);
      } else {
        for (int64_t o = 0; o < n; ++o) row[o] += bias_[o];
      }
    }
  });
}

}  // namespace lithe::onednn
