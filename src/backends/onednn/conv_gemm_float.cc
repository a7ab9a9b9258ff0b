// lithe's AVX2 + FMA float32 convolution GEMM (conv_gemm_float.h). The functions that use AVX2
// and FMA instructions carry target("avx2,fma") and are reached only when CpuHasAvx2Fma()
// (engine.h); the rest of the file is built for the baseline ISA.
#include "backends/onednn/conv_gemm_float.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "backends/onednn/engine.h"
#include "backends/onednn/gemm_tile_float.h"

namespace lithe::onednn {
namespace {

using gemm_float::Block;
using gemm_float::kPanelWidth;
using gemm_float::kTileRows;
using gemm_float::Tiles;

// Bytes of copied A per chunk: the chunk's K block stays in L2 while every panel passes over it.
constexpr int64_t kChunkBytes = 192 * 1024;
constexpr int64_t kMaxPackedValues = int64_t{256} << 20;

using Plan = FloatConvGemm::Plan;

std::atomic<FloatConvImplForTesting> g_override{FloatConvImplForTesting::kAuto};

// Columns [k0, k1) of im2col rows [row_begin, row_begin + n) into a ([n][lda]).
void CopyWindows(const Plan& p, const float* x, int64_t row_begin, int64_t n, int64_t k0, int64_t k1, float* a) {
  const ConvGemmShape& s = p.s;
  const int64_t pixels = int64_t{s.out_h} * s.out_w;
  for (int64_t r = 0; r < n; ++r) {
    const int64_t row = row_begin + r;
    const int64_t b = row / pixels;
    const int64_t oy = row % pixels / s.out_w, ox = row % s.out_w;
    const float* image = x + b * s.in_h * s.in_w * s.in_c;
    float* d = a + r * p.lda;
    int64_t tap = k0 / s.in_c, c = k0 % s.in_c;
    for (int64_t k = k0; k < k1; ++tap, c = 0) {
      int64_t len = std::min<int64_t>(s.in_c - c, k1 - k);
      const int64_t iy = oy * s.stride_h - s.pad_top + tap / s.kw * s.dil_h;
      int64_t ix = ox * s.stride_w - s.pad_left + tap % s.kw * s.dil_w;
      if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) {
        std::memset(d, 0, sizeof(float) * static_cast<size_t>(len));
      } else {
        const float* src = image + (iy * s.in_w + ix) * s.in_c + c;
        // Undilated taps further along the filter row read the next pixels, which follow in
        // memory: one copy while they stay inside the input.
        while (s.dil_w == 1 && (tap + 1) % s.kw != 0 && ix + 1 < s.in_w && k + len < k1) {
          len += std::min<int64_t>(s.in_c, k1 - k - len);
          ++tap, ++ix;
        }
        std::memcpy(d, src, sizeof(float) * static_cast<size_t>(len));
      }
      d += len;
      k += len;
    }
  }
}

// The packed weights of K block [k0, k0 + kc) for `panel`.
inline const float* PanelBlock(const Plan& p, int64_t k0, int32_t panel) {
  return p.packed.data() + gemm_float::PanelBlockOffset(p.k, {p.kc, p.k_blocks}, p.panels, k0, panel);
}

// One thread's share: chunks [chunk_begin, chunk_end) of rows, weight panels [panel_begin, panel_end).
void RunSlot(const Plan& p, const float* x, float* y, float* scratch, int64_t chunk_begin, int64_t chunk_end,
             int32_t panel_begin, int32_t panel_end) {
  const int32_t out_c = p.s.out_c;
  // When out_c is not a multiple of 16, the last panel's rows are computed here, 16 wide.
  float* edge = scratch + p.chunk_rows * p.lda;
  const int32_t edge_cols = out_c - (p.panels - 1) * kPanelWidth;
  for (int64_t chunk = chunk_begin; chunk < chunk_end; ++chunk) {
    const int64_t r0 = chunk * p.chunk_rows;
    const int64_t n = std::min(p.chunk_rows, p.rows - r0);
    for (int64_t kb = 0; kb < p.k_blocks; ++kb) {
      const int64_t k0 = kb * p.kc, kc = std::min(p.kc, p.k - k0);
      const bool first = kb == 0, last = kb + 1 == p.k_blocks;
      const float* a;
      int64_t lda;
      if (p.pointwise) {
        a = x + r0 * p.s.in_c + k0, lda = p.s.in_c;
      } else {
        CopyWindows(p, x, r0, n, k0, k0 + kc, scratch);
        a = scratch, lda = p.lda;
      }
      for (int32_t panel = panel_begin; panel < panel_end; ++panel) {
        Block bl = {.a = a, .lda = lda, .b = PanelBlock(p, k0, panel), .kc = kc,
                    .c = y + r0 * out_c + int64_t{panel} * kPanelWidth, .ldc = out_c, .first = first,
                    .last = last, .bias = p.bias.data() + int64_t{panel} * kPanelWidth, .lo = p.lo, .hi = p.hi,
                    .next_b = panel + 1 < panel_end ? PanelBlock(p, k0, panel + 1) : nullptr};
        if (panel + 1 < p.panels || edge_cols == kPanelWidth) {
          Tiles(n, bl);
          continue;
        }
        // The edge rows stay in this slot's scratch over the chunk's K blocks; the last block
        // writes out the columns below out_c.
        float* c = bl.c;
        bl.c = edge, bl.ldc = kPanelWidth;
        Tiles(n, bl);
        if (!last) continue;
        for (int64_t r = 0; r < n; ++r)
          std::memcpy(c + r * out_c, edge + r * kPanelWidth, sizeof(float) * static_cast<size_t>(edge_cols));
      }
    }
  }
}

}  // namespace

void SetFloatConvImplForTesting(FloatConvImplForTesting which) { g_override.store(which); }
FloatConvImplForTesting FloatConvImplOverride() { return g_override.load(); }

bool FloatConvGemmPays(const ConvGemmShape& s) {
  // Single-layer timings on the AVX2 machine (1 thread, oneDNN's direct kernels against this
  // GEMM, interleaved): the GEMM won every 3x3 layer with 64 or more input channels by 15-30 %
  // (resnet18's, stride 1 and 2), and lost where windows are short runs of few channels
  // (3 x 3 over 16 or 24 channels, resnet18's 7 x 7 stem over 3) and on 1 x 1 filters, where
  // oneDNN's jit_1x1 kernels reached 80-86 GFLOP/s against the GEMM's 64-70. On AVX-512 CPUs
  // oneDNN's kernels are twice as wide as this one.
  return !CpuHasAvx512() && s.kh * s.kw > 1 && s.in_c >= 64 && s.out_c >= 32;
}

Status FloatConvGemm::Init(PrepareContext& ctx, const ConvGemmShape& s, const float* filter, const float* bias,
                           Activation activation) {
  if (!CpuHasAvx2Fma()) return Status::Unsupported("no AVX2 and FMA");
  Plan& p = p_;
  if (!gemm_float::ActivationBounds(activation, &p.lo, &p.hi)) return Status::Unsupported("activation");
  p.s = s;
  p.k = int64_t{s.kh} * s.kw * s.in_c;
  const gemm_float::KBlocks kb = gemm_float::SplitK(p.k);
  p.kc = kb.kc, p.k_blocks = kb.count;
  p.panels = (s.out_c + kPanelWidth - 1) / kPanelWidth;
  p.rows = int64_t{s.batches} * s.out_h * s.out_w;
  p.pointwise = s.kh == 1 && s.kw == 1 && s.stride_h == 1 && s.stride_w == 1 && s.pad_top == 0 &&
                s.pad_left == 0 && s.out_h == s.in_h && s.out_w == s.in_w;
  // Rows of a copied block 4 KiB apart would share L1 sets; an odd number of cache lines apart
  // they spread over them.
  p.lda = (p.kc + 15) / 16 * 16 + 16;
  const int64_t fit = kChunkBytes / (p.lda * int64_t{sizeof(float)});
  p.chunk_rows = EvenChunkRows(p.rows, std::max<int64_t>(kTileRows, fit / kTileRows * kTileRows), kTileRows);
  p.chunks = (p.rows + p.chunk_rows - 1) / p.chunk_rows;
  p.slots = std::max(1, ctx.num_threads());
  const size_t slot_floats = static_cast<size_t>(p.chunk_rows * p.lda + p.chunk_rows * kPanelWidth);
  p.slot_bytes = (slot_floats * sizeof(float) + 63) / 64 * 64;
  if (int64_t{p.panels} * kPanelWidth * p.k > kMaxPackedValues) return Status::Unsupported("weights too large to pack");
  p.packed.assign(static_cast<size_t>(p.panels) * kPanelWidth * p.k, 0.f);
  // Block (k0, panel)[k - k0][lane] = filter[panel * 16 + lane][k], one K block at a time so
  // that the written lines stay in cache.
  for (int64_t k0 = 0; k0 < p.k; k0 += p.kc) {
    const int64_t k1 = std::min(p.k, k0 + p.kc);
    for (int32_t o = 0; o < s.out_c; ++o) {
      float* d = p.packed.data() + gemm_float::PanelBlockOffset(p.k, kb, p.panels, k0, o / kPanelWidth) +
                 o % kPanelWidth;
      for (int64_t k = k0; k < k1; ++k) d[(k - k0) * kPanelWidth] = filter[o * p.k + k];
    }
  }
  p.bias = gemm_float::PanelBias(bias, s.out_c, p.panels);
  scratch_ = ctx.RequestScratch(p.slot_bytes * static_cast<size_t>(p.slots));
  ctx.SetNote("im2col + lithe gemm");
  return Status::Ok();
}

void FloatConvGemm::Run(InvokeContext& ctx, const float* x, float* y) const {
  const Plan& p = p_;
  void* scratch = ctx.scratch(scratch_);
  ForEachSlot(ctx, p.slots, p.chunks, p.panels,
              [&](int64_t slot, int64_t chunk_begin, int64_t chunk_end, int32_t panel_begin, int32_t panel_end) {
                RunSlot(p, x, y, gemm_float::SlotScratch(scratch, slot, p.slot_bytes), chunk_begin, chunk_end,
                        panel_begin, panel_end);
              });
}

}  // namespace lithe::onednn
