// The NHWC convolution geometry lithe's own CPU kernels take (int8_gemm.h, int8_depthwise.h):
// one group; a fully connected layer is in_h = in_w = kh = kw = 1.
#pragma once

#include <algorithm>
#include <cstdint>

#include "ops/common.h"

namespace lithe::onednn {

struct ConvGemmShape {
  int32_t batches = 1, in_h = 1, in_w = 1, in_c = 1;
  int32_t out_h = 1, out_w = 1, out_c = 1;
  int32_t kh = 1, kw = 1, stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1, pad_top = 0, pad_left = 0;
};

// `s` with the strides and dilations of a CONV_2D / DEPTHWISE_CONV_2D node's options; callers
// name the rest with designated initializers.
inline ConvGemmShape WithWindowOptions(ConvGemmShape s, const ConvOptions& o) {
  s.stride_h = o.stride_h, s.stride_w = o.stride_w, s.dil_h = o.dilation_h, s.dil_w = o.dilation_w;
  return s;
}

// Rows per chunk when `rows` are split into as few chunks of at most `max_rows` (a multiple of
// `tile`) as possible, of equal size up to one tile: 196 rows at most 156 a chunk are 102 + 94,
// not 156 + 40, so that two threads taking one chunk each are busy equally long.
inline int64_t EvenChunkRows(int64_t rows, int64_t max_rows, int64_t tile) {
  const int64_t chunks = (rows + max_rows - 1) / max_rows;
  const int64_t even = (rows + chunks - 1) / chunks;
  return std::min(rows, (even + tile - 1) / tile * tile);
}

}  // namespace lithe::onednn
