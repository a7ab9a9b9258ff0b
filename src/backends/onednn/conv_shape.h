// The NHWC convolution geometry lithe's own CPU kernels take (int8_gemm.h, int8_depthwise.h,
// conv_gemm_float.h): one group; a fully connected layer is in_h = in_w = kh = kw = 1. Also how
// the two GEMMs split their rows into chunks and their work between threads.
#pragma once

#include <algorithm>
#include <cstdint>

#include "lithe/op.h"
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

// Runs a GEMM's `slots` per-thread shares on ctx's threads: run(slot, chunk_begin, chunk_end,
// panel_begin, panel_end). The row chunks are split between the slots, or the weight panels
// (each slot then prepares the same rows) when that balances the slots better: 5 chunks on 2
// threads are 3 + 2, 32 panels 16 + 16.
template <class Run>
void ForEachSlot(InvokeContext& ctx, int slots, int64_t chunks, int32_t panels, const Run& run) {
  const auto busiest = [&](int64_t units) { return static_cast<double>((units + slots - 1) / slots) / units; };
  const bool by_rows = busiest(chunks) <= busiest(panels) * 1.05;
  ctx.ParallelFor(slots, [&](int64_t b, int64_t e) {
    for (int64_t slot = b; slot < e; ++slot) {
      if (by_rows) {
        run(slot, chunks * slot / slots, chunks * (slot + 1) / slots, 0, panels);
      } else {
        run(slot, int64_t{0}, chunks, static_cast<int32_t>(panels * slot / slots),
            static_cast<int32_t>(panels * (slot + 1) / slots));
      }
    }
  });
}

}  // namespace lithe::onednn
