// lithe's own exact int8 convolution / matrix product for x86 CPUs with AVX2 but without VNNI,
// where oneDNN's int8 kernels are not exact (int8_util.h). Part of the CPU backend, next to the
// oneDNN kernels that serve the same ops on CPUs with VNNI.
//
// The product is an im2col GEMM on 16-bit operands:
//   acc[p, o] = sum_k (x[p, k] - input_zero_point) * w[o, k]
// x - zero point is in [-255, 255] and w in [-127, 127], so both fit int16 and vpmaddwd sums two
// products straight into int32 lanes without saturation: the result is TFLite's accumulator bit
// for bit, and padded taps (x == zero point) contribute 0 as in TFLite. Requantize (int8_util.h)
// then applies bias, multipliers, output zero point and clamp.
//
// Weights are packed once at Prepare into panels of 16 output channels x K pairs. At Invoke each
// thread takes a range of output rows (or, when there are too few rows, of channel panels),
// widens an L2-sized chunk of im2col rows into its own scratch and runs a 6 x 16 register-tile
// kernel over it.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/onednn/conv_shape.h"
#include "backends/onednn/int8_util.h"
#include "lithe/op.h"

namespace lithe::onednn {

class Int8Gemm {
 public:
  // `weights` is [out_c, kh, kw, in_c] int8 (TFLite's CONV_2D filter, or FULLY_CONNECTED's
  // [units, k]). `requant.bias` is the file's bias (no zero point folded in). Requests the
  // scratch it needs for ctx.num_threads() threads; declines (Status::Unsupported) layers whose
  // scratch would be unreasonable.
  Status Init(PrepareContext& ctx, const ConvGemmShape& shape, const int8_t* weights, int32_t input_zero_point,
            Int8Requant requant);
  // Input 0 and output 0 of the node are x and y.
  void Run(InvokeContext& ctx) const;

  // Everything Run needs, fixed at Init.
  struct Plan {
    ConvGemmShape s;
    int32_t zero_point = 0;
    Int8Requant q;
    int64_t k = 0, k_pairs = 0;   // K = kh * kw * in_c; k_pairs = ceil(K / 2)
    int32_t panels = 0;           // ceil(out_c / 16)
    int64_t rows = 0;             // batches * out_h * out_w
    int64_t chunk_rows = 0, chunks = 0;
    std::vector<int16_t> packed;  // [panels][k_pairs][16 channels][2]
    int slots = 1;                // threads, each with its own scratch slot
    size_t a_bytes = 0, slot_bytes = 0;
  };

 private:
  Plan p_;
  int scratch_ = -1;
};

}  // namespace lithe::onednn
