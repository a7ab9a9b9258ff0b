// The AVX2 + FMA register-tile kernel of lithe's float32 GEMMs (conv_gemm_float.cc,
// conv_winograd_float.cc): C (+)= A * B over one K block of one 16-wide weight panel. Every
// function here carries target("avx2,fma"); callers reach them only when CpuHasAvx2Fma().
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <algorithm>
#include <limits>
#include <vector>

#include "ops/common.h"

namespace lithe::onednn::gemm_float {

constexpr int kTileRows = 6;     // register tile: 6 rows x 16 channels = 12 accumulators
constexpr int kPanelWidth = 16;  // output channels per packed weight panel

// A K block of one panel (kc x 16 floats, 16 KiB at most) stays in half of a 32 KiB L1 while
// the tiles of a chunk pass over it, next to the 6 rows of A the tile reads. kc is at most this,
// split evenly (K = 576 runs as 3 x 192, not 256 + 256 + 64). On the VM measured here, 160, 256
// and 320 were not told apart by resnet18's per-layer timings (+-10 % noise).
constexpr int64_t kMaxKc = 256;

// K values in `count` blocks of kc (the last may be shorter), as even as kMaxKc allows.
struct KBlocks {
  int64_t kc = 0, count = 0;
};
inline KBlocks SplitK(int64_t k) {
  const int64_t count = (k + kMaxKc - 1) / kMaxKc;
  return {.kc = (k + count - 1) / count, .count = count};
}

// Where, in weights of K values packed as [k block][panel][kc][16], the block of K block
// [k0, k0 + kc) for `panel` starts (in floats): the blocks of one K block lie one after the
// other, panel by panel, so that passing over the panels reads memory in order.
inline int64_t PanelBlockOffset(int64_t k, KBlocks kb, int32_t panels, int64_t k0, int32_t panel) {
  const int64_t kc = std::min(kb.kc, k - k0);
  return (k0 * panels + int64_t{panel} * kc) * kPanelWidth;
}

// The clamp bounds of a fused activation (-inf/+inf for none); false for one the kernels lack.
inline bool ActivationBounds(Activation activation, float* lo, float* hi) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  switch (activation) {
    case Activation::kNone: *lo = -kInf, *hi = kInf; return true;
    case Activation::kRelu: *lo = 0.f, *hi = kInf; return true;
    case Activation::kRelu6: *lo = 0.f, *hi = 6.f; return true;
    case Activation::kReluN1To1: *lo = -1.f, *hi = 1.f; return true;
    default: return false;
  }
}

// The bias padded with zeros to whole panels (all zero when the file has none).
inline std::vector<float> PanelBias(const float* bias, int32_t out_c, int32_t panels) {
  std::vector<float> v(static_cast<size_t>(panels) * kPanelWidth, 0.f);
  if (bias != nullptr) std::copy_n(bias, out_c, v.begin());
  return v;
}

// Thread `slot`'s part of a kernel's scratch, slots `slot_bytes` apart.
inline float* SlotScratch(void* scratch, int64_t slot, size_t slot_bytes) {
  return reinterpret_cast<float*>(static_cast<char*>(scratch) + static_cast<size_t>(slot) * slot_bytes);
}

// One K block of one panel over a chunk's rows.
struct Block {
  const float* a;     // [rows][lda]
  int64_t lda;
  const float* b;     // [kc][16]
  int64_t kc;
  float* c;           // [rows][ldc]
  int64_t ldc;
  bool first, last;   // first: start from 0 rather than c; last: add the bias and clamp
  const float* bias;  // [16], read when last
  float lo, hi;
  const float* next_b;  // the block the tiles prefetch for the next call (kc lines), or null
};

// c[r][0..16) (+)= sum over kc of a[r][k] * b[k][0..16) for R rows from `row`. max(lo, v) and
// min(hi, v) return v when v is NaN, as the reference's std::max(v, lo) / std::min(v, hi) do.
// The tile also asks for `prefetch_lines` lines from `prefetch` (one per k), its share of the
// next panel's block: the tiles of a panel together fetch the next block (kc lines, each k is
// one 64-byte line) while they compute, instead of the next panel's first tile waiting on it
// line by line from memory (resnet18's weights do not fit the L3 cache).
template <int R>
__attribute__((target("avx2,fma"), always_inline)) inline void Tile(const Block& bl, int64_t row,
                                                                    const float* prefetch, int64_t prefetch_lines) {
  // Locals, so that the compiler need not reload them (or spill the accumulators) in case the
  // stores through c changed the block.
  const int64_t lda = bl.lda, ldc = bl.ldc, kc = bl.kc;
  const float* a = bl.a + row * lda;
  const float* b = bl.b;
  float* c = bl.c + row * ldc;
  __m256 lo_acc[R], hi_acc[R];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    if (bl.first) {
      lo_acc[r] = hi_acc[r] = _mm256_setzero_ps();
    } else {
      lo_acc[r] = _mm256_loadu_ps(c + r * ldc);
      hi_acc[r] = _mm256_loadu_ps(c + r * ldc + 8);
    }
  }
  for (int64_t k = 0; k < kc; ++k) {
    const __m256 b0 = _mm256_loadu_ps(b + k * kPanelWidth);
    const __m256 b1 = _mm256_loadu_ps(b + k * kPanelWidth + 8);
    if (k < prefetch_lines) _mm_prefetch(reinterpret_cast<const char*>(prefetch + k * kPanelWidth), _MM_HINT_T0);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      const __m256 v = _mm256_broadcast_ss(a + r * lda + k);
      lo_acc[r] = _mm256_fmadd_ps(v, b0, lo_acc[r]);
      hi_acc[r] = _mm256_fmadd_ps(v, b1, hi_acc[r]);
    }
  }
  if (bl.last) {
    const __m256 bias0 = _mm256_loadu_ps(bl.bias), bias1 = _mm256_loadu_ps(bl.bias + 8);
    const __m256 l = _mm256_set1_ps(bl.lo), h = _mm256_set1_ps(bl.hi);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      lo_acc[r] = _mm256_min_ps(h, _mm256_max_ps(l, _mm256_add_ps(lo_acc[r], bias0)));
      hi_acc[r] = _mm256_min_ps(h, _mm256_max_ps(l, _mm256_add_ps(hi_acc[r], bias1)));
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    _mm256_storeu_ps(c + r * ldc, lo_acc[r]);
    _mm256_storeu_ps(c + r * ldc + 8, hi_acc[r]);
  }
}

// Rows [0, n) in ceil(n / 6) tiles of as equal height as possible: a short tile takes about as
// long as a full one (each accumulator's FMA chain waits on the previous FMA's latency), so
// 49 rows run as 4 x 6 + 5 x 5, not 8 x 6 + 1.
__attribute__((target("avx2,fma"))) inline void Tiles(int64_t n, const Block& bl) {
  const int64_t tiles = (n + kTileRows - 1) / kTileRows;
  for (int64_t t = 0, r = 0; t < tiles; ++t) {
    const int64_t h = n / tiles + (t < n % tiles ? 1 : 0);
    const int64_t line = bl.kc * t / tiles, lines = bl.next_b == nullptr ? 0 : bl.kc * (t + 1) / tiles - line;
    const float* pf = bl.next_b + line * kPanelWidth;
    switch (h) {
      case 6: Tile<6>(bl, r, pf, lines); break;
      case 5: Tile<5>(bl, r, pf, lines); break;
      case 4: Tile<4>(bl, r, pf, lines); break;
      case 3: Tile<3>(bl, r, pf, lines); break;
      case 2: Tile<2>(bl, r, pf, lines); break;
      default: Tile<1>(bl, r, pf, lines); break;
    }
    r += h;
  }
}

}  // namespace lithe::onednn::gemm_float
