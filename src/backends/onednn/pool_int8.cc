// MAX_POOL_2D on int8 (input and output share their quantization, so the stored integers are
// pooled directly), bit-exact with the reference kernel (kernels/ref/pool_quant.h):
//   out = clamp(max over the window's taps inside the input, act_min, act_max)
// NHWC: per output pixel, 32 channels at a time with vpmaxsb; the last channels one by one.
// AVERAGE_POOL_2D and uint8 / int16 stay with the reference kernel.
#include <immintrin.h>

#include <algorithm>
#include <string>

#include "backends/onednn/int8_gemm.h"
#include "backends/onednn/kernels.h"
#include "kernels/ref/conv.h"

namespace lithe::onednn {
namespace {

struct PoolPlan {
  int32_t batches = 0, in_h = 0, in_w = 0, c = 0, out_h = 0, out_w = 0;
  int32_t fh = 0, fw = 0, sh = 0, sw = 0, pad_top = 0, pad_left = 0;
  int8_t act_min = -128, act_max = 127;
};

__attribute__((target("avx2"))) void MaxPoolRows(const PoolPlan& p, const int8_t* x, int8_t* y, int64_t row_begin,
                                                 int64_t row_end) {
  const int32_t c_vec = p.c / 32 * 32;
  const __m256i lo = _mm256_set1_epi8(p.act_min), hi = _mm256_set1_epi8(p.act_max);
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int64_t b = row / p.out_h;
    const int32_t oy = static_cast<int32_t>(row % p.out_h);
    const int32_t iy0 = oy * p.sh - p.pad_top;
    const int32_t ky0 = std::max(0, -iy0), ky1 = std::min(p.fh, p.in_h - iy0);
    const int8_t* image = x + b * p.in_h * p.in_w * p.c;
    for (int32_t ox = 0; ox < p.out_w; ++ox) {
      const int32_t ix0 = ox * p.sw - p.pad_left;
      const int32_t kx0 = std::max(0, -ix0), kx1 = std::min(p.fw, p.in_w - ix0);
      int8_t* out = y + ((row * p.out_w) + ox) * p.c;
      for (int32_t c = 0; c < c_vec; c += 32) {
        __m256i m = _mm256_set1_epi8(-128);
        for (int32_t ky = ky0; ky < ky1; ++ky)
          for (int32_t kx = kx0; kx < kx1; ++kx) {
            const int8_t* in = image + (int64_t{iy0 + ky} * p.in_w + ix0 + kx) * p.c + c;
            m = _mm256_max_epi8(m, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in)));
          }
        m = _mm256_min_epi8(_mm256_max_epi8(m, lo), hi);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + c), m);
      }
      for (int32_t c = c_vec; c < p.c; ++c) {
        int8_t m = -128;
        for (int32_t ky = ky0; ky < ky1; ++ky)
          for (int32_t kx = kx0; kx < kx1; ++kx)
            m = std::max(m, image[(int64_t{iy0 + ky} * p.in_w + ix0 + kx) * p.c + c]);
        out[c] = std::min(std::max(m, p.act_min), p.act_max);
      }
    }
  }
}

class MaxPoolInt8 final : public OpKernel {
 public:
  explicit MaxPoolInt8(const Pool2DOptions& o) : o_(o) {}

  Status Prepare(PrepareContext& ctx) override {
    const Tensor* in = ctx.input(0);
    const Tensor* out = ctx.output(0);
    if (!Int8GemmAvailable()) return Status::Unsupported("the CPU has no AVX2");
    if (in == nullptr || in->type != DType::kInt8 || out == nullptr || out->type != DType::kInt8)
      return Status::Unsupported("int8 only");
    if (in->shape.rank() != 4 || out->shape.rank() != 4) return Status::Unsupported("not 4-D");
    if (in->num_elements() == 0 || out->num_elements() == 0) return Status::Unsupported("empty tensor");
    LITHE_ASSIGN_OR_RETURN(const QuantParams qo, PerTensorQuant(ctx, *out, "output"));
    int32_t act_min = 0, act_max = 0;
    QuantizedActivationRange(o_.activation, qo, &act_min, &act_max);
    ref::Window wy, wx;
    const bool same = o_.padding == Padding::kSame;
    if (!ref::ComputeWindow(same, in->shape[1], o_.filter_h, o_.stride_h, 1, &wy) ||
        !ref::ComputeWindow(same, in->shape[2], o_.filter_w, o_.stride_w, 1, &wx))
      return Status::Unsupported("window");
    if (wy.out != out->shape[1] || wx.out != out->shape[2] || out->shape[0] != in->shape[0] ||
        out->shape[3] != in->shape[3])
      return Status::Unsupported("output shape differs from the window arithmetic");
    p_.batches = in->shape[0];
    p_.in_h = in->shape[1];
    p_.in_w = in->shape[2];
    p_.c = in->shape[3];
    p_.out_h = wy.out;
    p_.out_w = wx.out;
    p_.fh = o_.filter_h;
    p_.fw = o_.filter_w;
    p_.sh = o_.stride_h;
    p_.sw = o_.stride_w;
    p_.pad_top = wy.pad;
    p_.pad_left = wx.pad;
    p_.act_min = static_cast<int8_t>(std::clamp(act_min, -128, 127));
    p_.act_max = static_cast<int8_t>(std::clamp(act_max, -128, 127));
    return Status::Ok();
  }

  void Invoke(InvokeContext& ctx) override {
    const int8_t* x = ctx.input(0)->data_as<int8_t>();
    int8_t* y = ctx.output(0)->data_as<int8_t>();
    ctx.ParallelFor(int64_t{p_.batches} * p_.out_h, [&](int64_t b, int64_t e) { MaxPoolRows(p_, x, y, b, e); });
  }

 private:
  Pool2DOptions o_;
  PoolPlan p_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeMaxPool2DInt8(const Pool2DOptions& o, const BackendConfig&) {
  return std::make_unique<MaxPoolInt8>(o);
}

}  // namespace lithe::onednn
