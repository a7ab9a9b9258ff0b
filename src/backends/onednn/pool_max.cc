// MAX_POOL_2D on float32 and int8, identical to the reference kernels (kernels/ref/pool.h,
// pool_quant.h; int8 input and output share their quantization, so the stored integers are
// pooled directly):
//   out = clamp(max over the window's taps inside the input, act_min, act_max)
// NHWC: per output pixel, 8 floats (vmaxps, operands in the order that keeps std::max's NaN
// behaviour) or 32 int8 (vpmaxsb) at a time; the last channels as one more vector overlapping
// the previous one, or, with fewer channels than a vector, masked (float) or one by one (int8). The reference
// kernel's per-channel loops cost more than the comparisons on small tensors (the tutorial
// CNN's 26x26x12 pool: 5 us). uint8 / int16 stay with the reference kernel; average pooling
// is pool.cc's.
#include <immintrin.h>

#include <algorithm>
#include <limits>
#include <string>

#include "backends/onednn/engine.h"
#include "backends/onednn/kernels.h"
#include "kernels/ref/conv.h"

namespace lithe::onednn {
namespace {

struct PoolPlan {
  int32_t batches = 0, in_h = 0, in_w = 0, c = 0, out_h = 0, out_w = 0;
  int32_t fh = 0, fw = 0, sh = 0, sw = 0, pad_top = 0, pad_left = 0;
  float act_min = 0, act_max = 0;  // float32
  int8_t q_min = -128, q_max = 127;  // int8
};

// Vector operations per element type: 8 floats or 32 int8 per vector.
struct FloatOps {
  using T = float;
  using V = __m256;
  static constexpr int kLanes = 8;
  __attribute__((target("avx2"), always_inline)) static V Lowest() {
    return _mm256_set1_ps(std::numeric_limits<float>::lowest());
  }
  __attribute__((target("avx2"), always_inline)) static V Load(const T* p) { return _mm256_loadu_ps(p); }
  __attribute__((target("avx2"), always_inline)) static void Store(T* p, V v) { _mm256_storeu_ps(p, v); }
  // std::max(m, x) = m < x ? x : m = vmaxps(x, m); the clamp likewise.
  __attribute__((target("avx2"), always_inline)) static V Max(V m, V x) { return _mm256_max_ps(x, m); }
  __attribute__((target("avx2"), always_inline)) static V Clamp(V m, const PoolPlan& p) {
    return _mm256_min_ps(_mm256_set1_ps(p.act_max), _mm256_max_ps(_mm256_set1_ps(p.act_min), m));
  }
  static T Clamp(T m, const PoolPlan& p) { return std::min(std::max(m, p.act_min), p.act_max); }
  // The last c % 8 channels with masked loads and stores (lanes outside the mask are not read).
  static constexpr bool kMasked = true;
  __attribute__((target("avx2"), always_inline)) static __m256i Mask(int32_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  __attribute__((target("avx2"), always_inline)) static V MaskLoad(const T* p, __m256i mask) {
    return _mm256_maskload_ps(p, mask);
  }
  __attribute__((target("avx2"), always_inline)) static void MaskStore(T* p, __m256i mask, V v) {
    _mm256_maskstore_ps(p, mask, v);
  }
};

struct Int8Ops {
  using T = int8_t;
  using V = __m256i;
  static constexpr int kLanes = 32;
  __attribute__((target("avx2"), always_inline)) static V Lowest() { return _mm256_set1_epi8(-128); }
  __attribute__((target("avx2"), always_inline)) static V Load(const T* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  __attribute__((target("avx2"), always_inline)) static void Store(T* p, V v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
  }
  __attribute__((target("avx2"), always_inline)) static V Max(V m, V x) { return _mm256_max_epi8(m, x); }
  __attribute__((target("avx2"), always_inline)) static V Clamp(V m, const PoolPlan& p) {
    return _mm256_min_epi8(_mm256_max_epi8(m, _mm256_set1_epi8(p.q_min)), _mm256_set1_epi8(p.q_max));
  }
  static T Clamp(T m, const PoolPlan& p) { return std::min(std::max(m, p.q_min), p.q_max); }
  static constexpr bool kMasked = false;  // AVX2 has no byte-masked loads: the tail goes one by one
  __attribute__((target("avx2"), always_inline)) static __m256i Mask(int32_t) { return _mm256_setzero_si256(); }
  __attribute__((target("avx2"), always_inline)) static V MaskLoad(const T*, __m256i) {
    return _mm256_setzero_si256();
  }
  __attribute__((target("avx2"), always_inline)) static void MaskStore(T*, __m256i, V) {}
};

// The taps of one output pixel's window that lie inside the input: `rows` x `cols` pixels from
// `first`.
template <class T>
struct WindowOf {
  const T* first;
  int32_t rows, cols;
};

// Channels [c, c + kLanes) of one output pixel.
template <class Ops>
__attribute__((target("avx2"), always_inline)) inline void PoolVector(const PoolPlan& p,
                                                                      const WindowOf<typename Ops::T>& w,
                                                                      typename Ops::T* out, int32_t c) {
  typename Ops::V m = Ops::Lowest();
  for (int32_t ky = 0; ky < w.rows; ++ky)
    for (int32_t kx = 0; kx < w.cols; ++kx) m = Ops::Max(m, Ops::Load(w.first + (int64_t{ky} * p.in_w + kx) * p.c + c));
  Ops::Store(out + c, Ops::Clamp(m, p));
}

template <class Ops>
__attribute__((target("avx2"))) void MaxPoolRows(const PoolPlan& p, const typename Ops::T* x, typename Ops::T* y,
                                                 int64_t row_begin, int64_t row_end) {
  using T = typename Ops::T;
  using Window = WindowOf<T>;
  const int32_t c_vec = p.c / Ops::kLanes * Ops::kLanes;
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int64_t b = row / p.out_h;
    const int32_t oy = static_cast<int32_t>(row % p.out_h);
    const int32_t iy0 = oy * p.sh - p.pad_top;
    const int32_t ky0 = std::max(0, -iy0), ky1 = std::min(p.fh, p.in_h - iy0);
    const T* image = x + b * p.in_h * p.in_w * p.c;
    for (int32_t ox = 0; ox < p.out_w; ++ox) {
      const int32_t ix0 = ox * p.sw - p.pad_left;
      const int32_t kx0 = std::max(0, -ix0), kx1 = std::min(p.fw, p.in_w - ix0);
      T* out = y + ((row * p.out_w) + ox) * p.c;
      const Window w{image + (int64_t{iy0 + ky0} * p.in_w + ix0 + kx0) * p.c, ky1 - ky0, kx1 - kx0};
      for (int32_t c = 0; c < c_vec; c += Ops::kLanes) PoolVector<Ops>(p, w, out, c);
      if (c_vec < p.c && c_vec > 0) {
        // The last channels as one more whole vector that overlaps the previous one: the
        // overlapping channels get the same values again. (AMD's masked stores are slow.)
        PoolVector<Ops>(p, w, out, p.c - Ops::kLanes);
        continue;
      }
      // Fewer channels than a vector.
      if constexpr (Ops::kMasked) {
        if (c_vec < p.c) {
          const __m256i mask = Ops::Mask(p.c);
          typename Ops::V m = Ops::Lowest();
          for (int32_t ky = 0; ky < w.rows; ++ky)
            for (int32_t kx = 0; kx < w.cols; ++kx)
              m = Ops::Max(m, Ops::MaskLoad(w.first + (int64_t{ky} * p.in_w + kx) * p.c, mask));
          Ops::MaskStore(out, mask, Ops::Clamp(m, p));
        }
        continue;
      }
      for (int32_t c = c_vec; c < p.c; ++c) {
        T m = std::numeric_limits<T>::lowest();
        for (int32_t ky = 0; ky < w.rows; ++ky)
          for (int32_t kx = 0; kx < w.cols; ++kx) m = std::max(m, w.first[(int64_t{ky} * p.in_w + kx) * p.c + c]);
        out[c] = Ops::Clamp(m, p);
      }
    }
  }
}

class MaxPool final : public OpKernel {
 public:
  explicit MaxPool(const Pool2DOptions& o) : o_(o) {}

  Status Prepare(PrepareContext& ctx) override {
    const Tensor* in = ctx.input(0);
    const Tensor* out = ctx.output(0);
    if (!CpuHasAvx2()) return Status::Unsupported("the CPU has no AVX2");
    if (in == nullptr || out == nullptr || in->type != out->type) return Status::Unsupported("missing operands");
    float_ = in->type == DType::kFloat32;
    if (!float_ && in->type != DType::kInt8) return Status::Unsupported("float32 and int8 only");
    if (in->shape.rank() != 4 || out->shape.rank() != 4) return Status::Unsupported("not 4-D");
    if (in->num_elements() == 0 || out->num_elements() == 0) return Status::Unsupported("empty tensor");
    ref::Window wy, wx;
    const bool same = o_.padding == Padding::kSame;
    if (!ref::ComputeWindow(same, in->shape[1], o_.filter_h, o_.stride_h, 1, &wy) ||
        !ref::ComputeWindow(same, in->shape[2], o_.filter_w, o_.stride_w, 1, &wx))
      return Status::Unsupported("window");
    if (wy.out != out->shape[1] || wx.out != out->shape[2] || out->shape[0] != in->shape[0] ||
        out->shape[3] != in->shape[3])
      return Status::Unsupported("output shape differs from the window arithmetic");
    p_ = PoolPlan{.batches = in->shape[0], .in_h = in->shape[1], .in_w = in->shape[2], .c = in->shape[3],
                  .out_h = wy.out, .out_w = wx.out, .fh = o_.filter_h, .fw = o_.filter_w, .sh = o_.stride_h,
                  .sw = o_.stride_w, .pad_top = wy.pad, .pad_left = wx.pad};
    if (float_) {
      const ActivationRange act = RangeOf(o_.activation);
      p_.act_min = act.lo;
      p_.act_max = act.hi;
    } else {
      LITHE_ASSIGN_OR_RETURN(const QuantParams qo, PerTensorQuant(ctx, *out, "output"));
      int32_t act_min = 0, act_max = 0;
      QuantizedActivationRange(o_.activation, qo, &act_min, &act_max);
      p_.q_min = static_cast<int8_t>(std::clamp(act_min, -128, 127));
      p_.q_max = static_cast<int8_t>(std::clamp(act_max, -128, 127));
    }
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    const int64_t rows = int64_t{p_.batches} * p_.out_h;
    const int64_t per_row = int64_t{p_.out_w} * p_.c * p_.fh * p_.fw;
    if (float_) {
      const float* x = ctx.input(0)->data_as<float>();
      float* y = ctx.output(0)->data_as<float>();
      ctx.ParallelFor(rows, [&](int64_t b, int64_t e) { MaxPoolRows<FloatOps>(p_, x, y, b, e); }, per_row);
    } else {
      const int8_t* x = ctx.input(0)->data_as<int8_t>();
      int8_t* y = ctx.output(0)->data_as<int8_t>();
      ctx.ParallelFor(rows, [&](int64_t b, int64_t e) { MaxPoolRows<Int8Ops>(p_, x, y, b, e); }, per_row);
    }
  }

 private:
  Pool2DOptions o_;
  PoolPlan p_;
  bool float_ = false;
};

}  // namespace

std::unique_ptr<OpKernel> MakeMaxPool2D(const Pool2DOptions& o, const BackendConfig&) {
  return std::make_unique<MaxPool>(o);
}

}  // namespace lithe::onednn
