// Winograd F(2x2, 3x3) float32 convolution (conv_winograd_float.h). The transforms and the GEMM
// tiles use AVX2 + FMA (target attributes); Init declines without them (CpuHasAvx2Fma).
#include "backends/onednn/conv_winograd_float.h"

#include <immintrin.h>

#include <algorithm>

#include "backends/onednn/engine.h"
#include "backends/onednn/gemm_tile_float.h"

namespace lithe::onednn {
namespace {

using gemm_float::Block;
using gemm_float::kPanelWidth;
using gemm_float::kTileRows;
using gemm_float::Tiles;
using Plan = FloatConvWinograd::Plan;

constexpr int kPositions = 16;   // xi: the 4x4 transformed positions, one GEMM each
constexpr int64_t kMaxPackedValues = int64_t{256} << 20;

// Bytes of one position's V and M rows per chunk: they stay in L2 (512 KiB here) while that
// position's GEMM passes over U's blocks. Per chunk U is read once from memory, so chunks are
// as large as this allows: on resnet18's 7 x 7 x 512 layers a chunk of all 16 tiles took 2.5-2.7
// ms, chunks of 6 tiles 3.6-4.2 ms (1 thread). 64, 128 and 192 KiB measured within noise on the
// larger layers; 128 was best on the 512-channel ones.
constexpr int64_t kPositionBytes = 128 * 1024;

// Floats per row for `values` floats: whole lines, an odd number of them, so that the rows a
// tile reads at once spread over the L1 sets.
int64_t RowStride(int64_t values) { return ((values + 15) / 16 | 1) * 16; }

// Where U's block for position xi, K block k0, panel starts in `packed` ([kc][16] floats).
inline int64_t UBlockOffset(const Plan& p, int xi, int64_t k0, int32_t panel) {
  const int64_t k = p.s.in_c;
  return int64_t{xi} * k * p.panels * kPanelWidth +
         gemm_float::PanelBlockOffset(k, {p.kc, p.k_blocks}, p.panels, k0, panel);
}

// Image b and the top-left output pixel (oy, ox) of tile t.
struct TileAt {
  int64_t b, oy, ox;
};
inline TileAt Locate(const Plan& p, int64_t t) {
  const int64_t per_image = p.tiles_h * p.tiles_w;
  return {.b = t / per_image, .oy = 2 * (t % per_image / p.tiles_w), .ox = 2 * (t % p.tiles_w)};
}

// The lanes of channels [c, c + 8) that exist when only `left` remain.
__attribute__((target("avx2,fma"))) inline __m256i LaneMask(int64_t left) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(std::min<int64_t>(left, 8))), lanes);
}

// V[xi][i][c] for the chunk's tiles [t0, t0 + n): B^T d B of each tile's 4x4 input patch (zero
// outside the image).
__attribute__((target("avx2,fma"))) void InputTransform(const Plan& p, const float* x, int64_t t0, int64_t n,
                                                        float* v) {
  const ConvGemmShape& s = p.s;
  const int64_t c_all = s.in_c, xi_stride = p.chunk_tiles * p.ldv;
  for (int64_t i = 0; i < n; ++i) {
    const TileAt at = Locate(p, t0 + i);
    const float* image = x + at.b * s.in_h * s.in_w * c_all;
    const float* src[4][4];
    for (int r = 0; r < 4; ++r)
      for (int q = 0; q < 4; ++q) {
        const int64_t iy = at.oy - s.pad_top + r, ix = at.ox - s.pad_left + q;
        src[r][q] = iy >= 0 && iy < s.in_h && ix >= 0 && ix < s.in_w ? image + (iy * s.in_w + ix) * c_all : nullptr;
      }
    float* out = v + i * p.ldv;
    for (int64_t c = 0; c < c_all; c += 8) {
      const bool whole = c + 8 <= c_all;
      const __m256i mask = whole ? _mm256_set1_epi32(-1) : LaneMask(c_all - c);
      __m256 d[4][4];
      for (int r = 0; r < 4; ++r)
        for (int q = 0; q < 4; ++q)
          d[r][q] = src[r][q] == nullptr ? _mm256_setzero_ps()
                    : whole             ? _mm256_loadu_ps(src[r][q] + c)
                                        : _mm256_maskload_ps(src[r][q] + c, mask);
      __m256 w[4][4];  // B^T d
      for (int q = 0; q < 4; ++q) {
        w[0][q] = _mm256_sub_ps(d[0][q], d[2][q]);
        w[1][q] = _mm256_add_ps(d[1][q], d[2][q]);
        w[2][q] = _mm256_sub_ps(d[2][q], d[1][q]);
        w[3][q] = _mm256_sub_ps(d[1][q], d[3][q]);
      }
      for (int r = 0; r < 4; ++r) {  // (B^T d) B
        float* o = out + (r * 4) * xi_stride + c;
        _mm256_storeu_ps(o, _mm256_sub_ps(w[r][0], w[r][2]));
        _mm256_storeu_ps(o + xi_stride, _mm256_add_ps(w[r][1], w[r][2]));
        _mm256_storeu_ps(o + 2 * xi_stride, _mm256_sub_ps(w[r][2], w[r][1]));
        _mm256_storeu_ps(o + 3 * xi_stride, _mm256_sub_ps(w[r][1], w[r][3]));
      }
    }
  }
}

// y for the chunk's tiles: A^T M A of each tile's 16 sums, plus the bias, clamped; the outputs
// past the bottom or right edge (odd out_h or out_w) are not written.
__attribute__((target("avx2,fma"))) void OutputTransform(const Plan& p, const float* m, int64_t t0, int64_t n,
                                                         float* y) {
  const ConvGemmShape& s = p.s;
  const int64_t oc = s.out_c, xi_stride = p.chunk_tiles * p.ldm;
  const __m256 lo = _mm256_set1_ps(p.lo), hi = _mm256_set1_ps(p.hi);
  for (int64_t i = 0; i < n; ++i) {
    const TileAt at = Locate(p, t0 + i);
    const bool down = at.oy + 1 < s.out_h, right = at.ox + 1 < s.out_w;
    float* dst = y + ((at.b * s.out_h + at.oy) * s.out_w + at.ox) * oc;
    float* const outs[2][2] = {{dst, right ? dst + oc : nullptr},
                               {down ? dst + s.out_w * oc : nullptr, down && right ? dst + (s.out_w + 1) * oc : nullptr}};
    const float* in = m + i * p.ldm;
    for (int64_t c = 0; c < oc; c += 8) {
      __m256 at[2][4];  // A^T M
      for (int q = 0; q < 4; ++q) {
        const __m256 m0 = _mm256_loadu_ps(in + (0 * 4 + q) * xi_stride + c);
        const __m256 m1 = _mm256_loadu_ps(in + (1 * 4 + q) * xi_stride + c);
        const __m256 m2 = _mm256_loadu_ps(in + (2 * 4 + q) * xi_stride + c);
        const __m256 m3 = _mm256_loadu_ps(in + (3 * 4 + q) * xi_stride + c);
        at[0][q] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
        at[1][q] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
      }
      const __m256 bias = _mm256_loadu_ps(p.bias.data() + c);
      const bool whole = c + 8 <= oc;
      const __m256i mask = whole ? _mm256_set1_epi32(-1) : LaneMask(oc - c);
      for (int r = 0; r < 2; ++r) {
        const __m256 out[2] = {_mm256_add_ps(_mm256_add_ps(at[r][0], at[r][1]), at[r][2]),
                               _mm256_sub_ps(_mm256_sub_ps(at[r][1], at[r][2]), at[r][3])};
        for (int q = 0; q < 2; ++q) {
          if (outs[r][q] == nullptr) continue;
          const __m256 v = _mm256_min_ps(hi, _mm256_max_ps(lo, _mm256_add_ps(out[q], bias)));
          if (whole) {
            _mm256_storeu_ps(outs[r][q] + c, v);
          } else {
            _mm256_maskstore_ps(outs[r][q] + c, mask, v);
          }
        }
      }
    }
  }
}

// One thread's chunks of tiles.
void RunChunks(const Plan& p, const float* x, float* y, float* scratch, int64_t chunk_begin, int64_t chunk_end) {
  float* v = scratch;
  float* m = scratch + kPositions * p.chunk_tiles * p.ldv;
  const float* packed_end = p.packed.data() + p.packed.size();
  for (int64_t chunk = chunk_begin; chunk < chunk_end; ++chunk) {
    const int64_t t0 = chunk * p.chunk_tiles, n = std::min(p.chunk_tiles, p.tiles - t0);
    InputTransform(p, x, t0, n, v);
    // U's blocks in memory order: position, K block, panel.
    for (int xi = 0; xi < kPositions; ++xi)
      for (int64_t kb = 0; kb < p.k_blocks; ++kb) {
        const int64_t k0 = kb * p.kc, kc = std::min(p.kc, int64_t{p.s.in_c} - k0);
        for (int32_t panel = 0; panel < p.panels; ++panel) {
          const float* b = p.packed.data() + UBlockOffset(p, xi, k0, panel);
          const float* next = b + kc * kPanelWidth;
          Block bl = {.a = v + xi * p.chunk_tiles * p.ldv + k0, .lda = p.ldv, .b = b, .kc = kc,
                      .c = m + xi * p.chunk_tiles * p.ldm + int64_t{panel} * kPanelWidth, .ldc = p.ldm,
                      .first = kb == 0, .last = false, .bias = nullptr, .lo = p.lo, .hi = p.hi,
                      .next_b = next + kc * kPanelWidth <= packed_end ? next : nullptr};
          Tiles(n, bl);
        }
      }
    OutputTransform(p, m, t0, n, y);
  }
}

}  // namespace

bool FloatConvWinogradFits(const ConvGemmShape& s) {
  return s.kh == 3 && s.kw == 3 && s.stride_h == 1 && s.stride_w == 1 && s.dil_h == 1 && s.dil_w == 1;
}

Status FloatConvWinograd::Init(PrepareContext& ctx, const ConvGemmShape& s, const float* filter, const float* bias,
                               Activation activation) {
  if (!CpuHasAvx2Fma()) return Status::Unsupported("no AVX2 and FMA");
  if (!FloatConvWinogradFits(s)) return Status::Unsupported("not a 3x3 stride-1 undilated filter");
  Plan& p = p_;
  if (!gemm_float::ActivationBounds(activation, &p.lo, &p.hi)) return Status::Unsupported("activation");
  p.s = s;
  const int64_t c_all = s.in_c;
  p.tiles_h = (s.out_h + 1) / 2, p.tiles_w = (s.out_w + 1) / 2;
  p.tiles = s.batches * p.tiles_h * p.tiles_w;
  const gemm_float::KBlocks kb = gemm_float::SplitK(c_all);
  p.kc = kb.kc, p.k_blocks = kb.count;
  p.panels = (s.out_c + kPanelWidth - 1) / kPanelWidth;
  p.ldv = RowStride(c_all);
  p.ldm = RowStride(int64_t{p.panels} * kPanelWidth);
  p.slots = std::max(1, ctx.num_threads());
  // One position's rows of V and M stay in L2 while its GEMM runs; a thread gets at least one chunk.
  const int64_t per_tile = (p.ldv + p.ldm) * int64_t{sizeof(float)};
  const int64_t fit = std::max<int64_t>(kTileRows, kPositionBytes / per_tile / kTileRows * kTileRows);
  const int64_t share = (p.tiles + p.slots - 1) / p.slots;
  p.chunk_tiles = EvenChunkRows(p.tiles, std::min(fit, (share + kTileRows - 1) / kTileRows * kTileRows), kTileRows);
  p.chunks = (p.tiles + p.chunk_tiles - 1) / p.chunk_tiles;
  p.slot_bytes = (static_cast<size_t>(kPositions * p.chunk_tiles * (p.ldv + p.ldm)) * sizeof(float) + 63) / 64 * 64;
  if (kPositions * int64_t{p.panels} * kPanelWidth * c_all > kMaxPackedValues)
    return Status::Unsupported("weights too large to pack");

  // U = G g G^T for every (out, in) pair, g = filter[o][0..3][0..3][c].
  p.packed.assign(static_cast<size_t>(kPositions * p.panels * kPanelWidth * c_all), 0.f);
  for (int32_t o = 0; o < s.out_c; ++o)
    for (int64_t c = 0; c < c_all; ++c) {
      float g[3][3];
      for (int ky = 0; ky < 3; ++ky)
        for (int kx = 0; kx < 3; ++kx) g[ky][kx] = filter[((int64_t{o} * 3 + ky) * 3 + kx) * c_all + c];
      float gg[4][3];  // G g
      for (int kx = 0; kx < 3; ++kx) {
        gg[0][kx] = g[0][kx];
        gg[1][kx] = 0.5f * (g[0][kx] + g[1][kx] + g[2][kx]);
        gg[2][kx] = 0.5f * (g[0][kx] - g[1][kx] + g[2][kx]);
        gg[3][kx] = g[2][kx];
      }
      const int64_t k0 = c / p.kc * p.kc;
      for (int r = 0; r < 4; ++r) {
        const float u[4] = {gg[r][0], 0.5f * (gg[r][0] + gg[r][1] + gg[r][2]), 0.5f * (gg[r][0] - gg[r][1] + gg[r][2]),
                            gg[r][2]};
        for (int q = 0; q < 4; ++q) {
          p.packed[UBlockOffset(p, r * 4 + q, k0, o / kPanelWidth) + (c - k0) * kPanelWidth + o % kPanelWidth] =
              u[q];
        }
      }
    }
  p.bias = gemm_float::PanelBias(bias, s.out_c, p.panels);
  scratch_ = ctx.RequestScratch(p.slot_bytes * static_cast<size_t>(p.slots));
  ctx.SetNote("winograd F(2x2,3x3) + lithe gemm");
  return Status::Ok();
}

void FloatConvWinograd::Run(InvokeContext& ctx, const float* x, float* y) const {
  const Plan& p = p_;
  void* scratch = ctx.scratch(scratch_);
  // One "panel": every thread runs all of U over its own chunks of tiles.
  ForEachSlot(ctx, p.slots, p.chunks, 1, [&](int64_t slot, int64_t chunk_begin, int64_t chunk_end, int32_t, int32_t) {
    RunChunks(p, x, y, gemm_float::SlotScratch(scratch, slot, p.slot_bytes), chunk_begin, chunk_end);
  });
}

}  // namespace lithe::onednn
