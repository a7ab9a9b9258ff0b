// float32 CONV_2D (one group) as im2col + oneDNN's sgemm, for the layers where that beats
// oneDNN's direct convolution. On the AVX2 machine this project measures on, oneDNN's direct
// NHWC (and blocked nChw8c) convolution reaches 41-52 GFLOP/s on resnet18's 3x3 layers with 128
// to 512 channels, while dnnl_sgemm reaches 68-84 GFLOP/s on the same products written as
// [out pixels x kh*kw*in_c] x [kh*kw*in_c x out_c]; copying the windows costs a few percent.
//
//   A[p, k] = x[b, oy*sh - pad_top + ky*dh, ox*sw - pad_left + kx*dw, c]  (0 outside)
//             with p = (b, oy, ox), k = (ky, kx, c)
//   y[p, o] = act(sum_k A[p, k] * W[k, o] + bias[o])
//
// W is the filter transposed once at Prepare. A 1x1 filter with stride 1 and no padding reads
// the input as A directly.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/onednn/conv_shape.h"
#include "lithe/op.h"
#include "ops/common.h"

namespace lithe::onednn {

// Whether the GEMM is the faster choice for this layer (measured on AVX2; see the .cc).
bool FloatConvGemmPays(const ConvGemmShape& s);

// Tests force the choice so that both paths run over the same shapes.
enum class FloatConvImplForTesting { kAuto, kDirect, kGemm };
void SetFloatConvImplForTesting(FloatConvImplForTesting which);
FloatConvImplForTesting FloatConvImplOverride();

class FloatConvGemm {
 public:
  // `filter` is [out_c, kh, kw, in_c], `bias` [out_c] or null. Requests the im2col scratch;
  // declines (Status::Unsupported) when it would be unreasonably large.
  Status Init(PrepareContext& ctx, const ConvGemmShape& s, const float* filter, const float* bias,
              Activation activation);
  void Run(InvokeContext& ctx, const float* x, float* y) const;

 private:
  void Im2Col(const float* x, float* a, int64_t begin, int64_t end) const;

  ConvGemmShape s_;
  int64_t k_ = 0, rows_ = 0;
  bool direct_ = false;      // A is the input itself
  std::vector<float> w_;     // [k_, out_c]
  std::vector<float> bias_;  // [out_c], zeros when the file has none
  float lo_ = 0, hi_ = 0;
  bool clamp_ = false;
  int scratch_ = -1;
};

}  // namespace lithe::onednn
