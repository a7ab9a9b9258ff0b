// float32 3x3 CONV_2D (stride 1, no dilation, one group) by Winograd's minimal filtering
// F(2x2, 3x3), on the AVX2 + FMA GEMM kernel of gemm_tile_float.h. Each 2x2 block of output
// pixels (a "tile") needs 16 products per input/output channel pair instead of 36:
//
//   V = B^T d B   d: the 4x4 input patch of a tile, one channel   (input transform)
//   U = G g G^T   g: the 3x3 filter of one (out, in) channel pair   (at Prepare)
//   M[xi][t][o] = sum_c V[xi][t][c] * U[xi][c][o]   for each of the 16 positions xi   (16 GEMMs)
//   Y = A^T M A   the tile's 2x2 outputs, then bias and activation   (output transform)
//
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]
//   A^T = [1 1 1 0; 0 1 -1 -1]
//
// The transforms only add, subtract and halve, so the results differ from a direct sum by
// rounding only (the tests hold them to the same tolerance as the im2col GEMM). U takes 16/9 of
// the filter's memory. Each thread takes chunks of tiles: it transforms a chunk's input into
// its scratch, runs the 16 GEMMs into its scratch and transforms them into y.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/onednn/conv_shape.h"
#include "lithe/op.h"
#include "ops/common.h"

namespace lithe::onednn {

// Whether the layer has the shape F(2x2, 3x3) computes: a 3x3 filter, stride 1, no dilation.
bool FloatConvWinogradFits(const ConvGemmShape& s);

class FloatConvWinograd {
 public:
  // As FloatConvGemm::Init; also declines shapes FloatConvWinogradFits rejects.
  Status Init(PrepareContext& ctx, const ConvGemmShape& s, const float* filter, const float* bias,
              Activation activation);
  void Run(InvokeContext& ctx, const float* x, float* y) const;

  struct Plan {
    ConvGemmShape s;
    int64_t tiles_h = 0, tiles_w = 0, tiles = 0;  // 2x2 output tiles per column, row, in all
    int64_t kc = 0, k_blocks = 0;                 // K (= in_c) blocks of the GEMMs
    int64_t ldv = 0;                              // floats per row of V, [16][chunk_tiles][ldv]
    int32_t panels = 0;                           // ceil(out_c / 16)
    int64_t ldm = 0;                              // floats per row of M, [16][chunk_tiles][ldm]
    int64_t chunk_tiles = 0, chunks = 0;
    std::vector<float> packed;  // U: [16][k block][panel][kc][16], zero past out_c
    std::vector<float> bias;    // [panels * 16]
    float lo = 0, hi = 0;
    int slots = 1;
    size_t slot_bytes = 0;
  };

 private:
  Plan p_;
  int scratch_ = -1;
};

}  // namespace lithe::onednn
