// lithe's own exact int8 DEPTHWISE_CONV_2D (depth multiplier 1) for x86 CPUs with AVX2 but
// without VNNI, next to int8_gemm.h. Per output pixel and block of 16 channels:
//   acc[c] = sum over the taps inside the input of (x[c] - input_zero_point) * w[tap][c]
// x - zero point fits int16 ([-255, 255]) and so does each product (|p| <= 255 * 127), so
// vpmullw is exact; the products are widened and summed in int32 lanes: TFLite's accumulator bit
// for bit. Windows inside the input (all but the border) take taps in pairs with vpmaddwd. Taps in the padding are skipped (they would add 0). Requantize (int8_util.h) then
// applies bias, per-channel multipliers (gemmlowp's rounding), zero point and clamp.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/onednn/int8_gemm.h"
#include "backends/onednn/int8_util.h"
#include "lithe/op.h"

namespace lithe::onednn {

class Int8Depthwise {
 public:
  // `weights` is TFLite's [1, kh, kw, channels] int8 filter; shape.in_c == shape.out_c.
  void Init(PrepareContext& ctx, const ConvGemmShape& shape, const int8_t* weights, int32_t input_zero_point,
            Int8Requant requant);
  void Run(InvokeContext& ctx) const;

  struct Plan {
    ConvGemmShape s;
    int32_t zero_point = 0;
    Int8Requant q;
    std::vector<int16_t> w;  // [kh * kw][channels]
    // Windows entirely inside the input take taps two at a time (vpmaddwd on interleaved pairs):
    // per 16-channel block and tap pair, 16 weights for vpunpcklwd's channel order (0-3, 8-11)
    // and 16 for vpunpckhwd's (4-7, 12-15). An odd last tap pairs with a zero weight.
    std::vector<int16_t> pairs;    // [channels / 16][tap pairs][2][16]
    std::vector<int64_t> tap_off;  // [2 * tap pairs] input offsets of the taps from the window's corner
    int slots = 1;
    size_t slot_bytes = 0;   // one output row's int32 accumulators
  };

 private:
  Plan p_;
  int scratch_ = -1;
};

}  // namespace lithe::onednn
