// float32 CONV_2D (one group) as an im2col GEMM on lithe's own AVX2 + FMA kernel, for the layers
// where that beats oneDNN 2.6's direct convolution. On the AVX2 machine this project measures
// on, oneDNN's direct NHWC (and blocked nChw8c) convolution reaches 41-52 GFLOP/s on resnet18's
// 3x3 layers with 128 to 512 channels; dnnl_sgemm on the same products reached 62-84 but packs
// both operands on every call.
//
//   A[p, k] = x[b, oy*sh - pad_top + ky*dh, ox*sw - pad_left + kx*dw, c]  (0 outside)
//             with p = (b, oy, ox), k = (ky, kx, c)
//   y[p, o] = act(sum_k A[p, k] * W[k, o] + bias[o])
//
// 3x3 stride-1 layers take Winograd instead (conv_winograd_float.h), on the same register tile
// (gemm_tile_float.h).
//
// W is packed once at Prepare into panels of 16 output channels, K block by K block
// ([k block][panel][kc][16]). At Invoke
// each thread takes a range of row chunks (or of panels, when there are too few chunks), copies
// one K block of a chunk's windows into its scratch (A stays in L2, the panel's K block in L1),
// and runs a 6 x 16 register-tile kernel (12 accumulators, vfmadd231ps) over it, accumulating
// in y between K blocks. Bias and activation are applied when the last block is stored. A 1x1
// filter with stride 1 and no padding reads the input as A directly.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/onednn/conv_shape.h"
#include "lithe/op.h"
#include "ops/common.h"

namespace lithe::onednn {

// Whether this GEMM is the faster choice for this layer (measured on AVX2; see the .cc).
// Of these, the layers that FloatConvWinogradFits (conv_winograd_float.h) take Winograd.
bool FloatConvGemmPays(const ConvGemmShape& s);

// Tests force the choice so that both paths run over the same shapes.
// kWinograd takes conv_winograd_float.h where it fits (3x3, stride 1) and the direct kernel elsewhere.
enum class FloatConvImplForTesting { kAuto, kDirect, kGemm, kWinograd };
void SetFloatConvImplForTesting(FloatConvImplForTesting which);
FloatConvImplForTesting FloatConvImplOverride();

class FloatConvGemm {
 public:
  // `filter` is [out_c, kh, kw, in_c], `bias` [out_c] or null. Requests the scratch it needs
  // for ctx.num_threads() threads; declines (Status::Unsupported) without AVX2 and FMA, or when
  // the packed weights or scratch would be unreasonably large.
  Status Init(PrepareContext& ctx, const ConvGemmShape& s, const float* filter, const float* bias,
              Activation activation);
  void Run(InvokeContext& ctx, const float* x, float* y) const;

  // Everything Run needs, fixed at Init.
  struct Plan {
    ConvGemmShape s;
    int64_t k = 0;                 // kh * kw * in_c
    int64_t kc = 0, k_blocks = 0;  // K block: kc values (the last may be shorter)
    int64_t lda = 0;               // floats per row of a copied A block
    int32_t panels = 0;            // ceil(out_c / 16)
    int64_t rows = 0;              // batches * out_h * out_w
    int64_t chunk_rows = 0, chunks = 0;
    bool pointwise = false;        // A is the input itself
    std::vector<float> packed;     // [k block][panel][kc][16], zero past out_c
    std::vector<float> bias;       // [panels * 16], zero past out_c (and when the file has none)
    float lo = 0, hi = 0;          // activation bounds, -inf/+inf for none
    int slots = 1;                 // threads, each with its own scratch slot
    size_t slot_bytes = 0;
  };

 private:
  Plan p_;
  int scratch_ = -1;
};

}  // namespace lithe::onednn
