// lithe's exact AVX2 int8 GEMM (int8_gemm.h). The functions that use AVX2 instructions carry
// target("avx2") and are reached only when CpuHasAvx2() (engine.h); the rest of the file is built for
// the baseline ISA.
#include "backends/onednn/int8_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace lithe::onednn {
namespace {

constexpr int kTileRows = 6;      // register tile: 6 rows x 16 channels = 12 accumulators
constexpr int kPanelWidth = 16;   // output channels per packed weight panel
// Bytes of widened im2col rows per chunk: the chunk stays in L2 while every weight panel passes over it.
constexpr int64_t kChunkBytes = 160 * 1024;
constexpr size_t kMaxSlotBytes = size_t{64} << 20;      // scratch per thread
constexpr int64_t kMaxPackedValues = int64_t{128} << 20;  // packed int16 weights

using Plan = Int8Gemm::Plan;

// d[i] = s[i] - zp as int16, for n values.
__attribute__((target("avx2"))) inline void Widen(const int8_t* s, int64_t n, int16_t zp, int16_t* d) {
  const __m256i z = _mm256_set1_epi16(zp);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i), _mm256_sub_epi16(_mm256_cvtepi8_epi16(v), z));
  }
  for (; i < n; ++i) d[i] = static_cast<int16_t>(s[i] - zp);
}

// Rows [row_begin, row_begin + n) of the im2col matrix, widened, into a ([n][2 * k_pairs]).
// Taps outside the input are 0 (= the zero point, subtracted); an odd K ends with a 0.
__attribute__((target("avx2"))) void PackRows(const Plan& p, const int8_t* x, int64_t row_begin, int64_t n,
                                              int16_t* a) {
  const ConvGemmShape& s = p.s;
  const int64_t lda = 2 * p.k_pairs;
  const int64_t pixels = int64_t{s.out_h} * s.out_w;
  const int16_t zp = static_cast<int16_t>(p.zero_point);
  const bool pointwise = s.kh == 1 && s.kw == 1 && s.stride_h == 1 && s.stride_w == 1 && s.pad_top == 0 &&
                         s.pad_left == 0 && s.in_h == s.out_h && s.in_w == s.out_w;
  for (int64_t r = 0; r < n; ++r) {
    const int64_t row = row_begin + r;
    int16_t* d = a + r * lda;
    if (pointwise) {
      Widen(x + row * s.in_c, s.in_c, zp, d);
    } else {
      const int64_t b = row / pixels;
      const int32_t oy = static_cast<int32_t>(row % pixels / s.out_w);
      const int32_t ox = static_cast<int32_t>(row % s.out_w);
      const int8_t* image = x + b * s.in_h * s.in_w * s.in_c;
      int16_t* t = d;
      for (int32_t ky = 0; ky < s.kh; ++ky) {
        const int32_t iy = oy * s.stride_h - s.pad_top + ky * s.dil_h;
        if (iy < 0 || iy >= s.in_h) {
          std::memset(t, 0, sizeof(int16_t) * s.kw * s.in_c);
          t += int64_t{s.kw} * s.in_c;
          continue;
        }
        const int32_t ix0 = ox * s.stride_w - s.pad_left;
        if (s.dil_w == 1) {  // the row's taps are one span of the input: zeros, one widening, zeros
          const int32_t lo = std::clamp(-ix0, 0, s.kw), hi = std::clamp(s.in_w - ix0, lo, s.kw);
          std::memset(t, 0, sizeof(int16_t) * lo * s.in_c);
          if (hi > lo) Widen(image + (int64_t{iy} * s.in_w + ix0 + lo) * s.in_c, int64_t{hi - lo} * s.in_c, zp, t + lo * s.in_c);
          std::memset(t + int64_t{hi} * s.in_c, 0, sizeof(int16_t) * (s.kw - hi) * s.in_c);
          t += int64_t{s.kw} * s.in_c;
          continue;
        }
        for (int32_t kx = 0; kx < s.kw; ++kx, t += s.in_c) {
          const int32_t ix = ix0 + kx * s.dil_w;
          if (ix < 0 || ix >= s.in_w) {
            std::memset(t, 0, sizeof(int16_t) * s.in_c);
          } else {
            Widen(image + (int64_t{iy} * s.in_w + ix) * s.in_c, s.in_c, zp, t);
          }
        }
      }
    }
    if (lda > p.k) d[p.k] = 0;
  }
}

// c[r][0..16) = sum over k pairs of a[r] . b for R rows: each step broadcasts a row's pair of
// int16 values and multiplies it with 16 channels' pairs (vpmaddwd), adding into int32 lanes.
template <int R>
__attribute__((target("avx2"), always_inline)) inline void Tile(const int16_t* a, int64_t lda, const int16_t* b,
                                                                int64_t k_pairs, int32_t* c, int64_t ldc) {
  __m256i lo[R], hi[R];
  for (int r = 0; r < R; ++r) lo[r] = hi[r] = _mm256_setzero_si256();
  for (int64_t k = 0; k < k_pairs; ++k) {
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + k * 32));
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + k * 32 + 16));
    for (int r = 0; r < R; ++r) {
      int32_t pair;
      std::memcpy(&pair, a + r * lda + 2 * k, sizeof(pair));
      const __m256i v = _mm256_set1_epi32(pair);
      lo[r] = _mm256_add_epi32(lo[r], _mm256_madd_epi16(v, b0));
      hi[r] = _mm256_add_epi32(hi[r], _mm256_madd_epi16(v, b1));
    }
  }
  for (int r = 0; r < R; ++r) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(c + r * ldc), lo[r]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(c + r * ldc + 8), hi[r]);
  }
}

// One thread's share: chunks [chunk_begin, chunk_end) of rows, weight panels [panel_begin, panel_end).
__attribute__((target("avx2"))) void RunSlot(const Plan& p, const int8_t* x, int8_t* y, void* scratch,
                                             int64_t chunk_begin, int64_t chunk_end, int32_t panel_begin,
                                             int32_t panel_end) {
  int16_t* a = static_cast<int16_t*>(scratch);
  int32_t* acc = reinterpret_cast<int32_t*>(static_cast<char*>(scratch) + p.a_bytes);
  const int64_t lda = 2 * p.k_pairs;
  const int64_t ldc = int64_t{p.panels} * kPanelWidth;
  const int32_t out_c = p.s.out_c;
  for (int64_t chunk = chunk_begin; chunk < chunk_end; ++chunk) {
    const int64_t r0 = chunk * p.chunk_rows;
    const int64_t n = std::min(p.chunk_rows, p.rows - r0);
    PackRows(p, x, r0, n, a);
    for (int32_t panel = panel_begin; panel < panel_end; ++panel) {
      const int16_t* b = p.packed.data() + int64_t{panel} * p.k_pairs * 2 * kPanelWidth;
      int32_t* c = acc + int64_t{panel} * kPanelWidth;
      int64_t r = 0;
      for (; r + kTileRows <= n; r += kTileRows) Tile<kTileRows>(a + r * lda, lda, b, p.k_pairs, c + r * ldc, ldc);
      switch (n - r) {
        case 5: Tile<5>(a + r * lda, lda, b, p.k_pairs, c + r * ldc, ldc); break;
        case 4: Tile<4>(a + r * lda, lda, b, p.k_pairs, c + r * ldc, ldc); break;
        case 3: Tile<3>(a + r * lda, lda, b, p.k_pairs, c + r * ldc, ldc); break;
        case 2: Tile<2>(a + r * lda, lda, b, p.k_pairs, c + r * ldc, ldc); break;
        case 1: Tile<1>(a + r * lda, lda, b, p.k_pairs, c + r * ldc, ldc); break;
        default: break;
      }
    }
    RequantizeBlock(p.q, acc, ldc, y + r0 * out_c, out_c, n, panel_begin * kPanelWidth,
                    std::min(panel_end * kPanelWidth, out_c));
  }
}

}  // namespace

Status Int8Gemm::Init(PrepareContext& ctx, const ConvGemmShape& shape, const int8_t* weights,
                      int32_t input_zero_point, Int8Requant requant) {
  Plan& p = p_;
  p.s = shape;
  p.zero_point = input_zero_point;
  p.q = std::move(requant);
  p.k = int64_t{shape.kh} * shape.kw * shape.in_c;
  p.k_pairs = (p.k + 1) / 2;
  p.panels = (shape.out_c + kPanelWidth - 1) / kPanelWidth;
  p.rows = int64_t{shape.batches} * shape.out_h * shape.out_w;
  const int64_t row_bytes = 2 * p.k_pairs * static_cast<int64_t>(sizeof(int16_t));
  const int64_t acc_row_bytes = int64_t{p.panels} * kPanelWidth * static_cast<int64_t>(sizeof(int32_t));
  const int64_t fit = std::min(kChunkBytes / row_bytes, kChunkBytes / acc_row_bytes);
  p.chunk_rows = EvenChunkRows(p.rows, std::max<int64_t>(kTileRows, fit / kTileRows * kTileRows), kTileRows);
  p.chunks = (p.rows + p.chunk_rows - 1) / p.chunk_rows;
  p.slots = std::max(1, ctx.num_threads());
  const auto round64 = [](size_t b) { return (b + 63) / 64 * 64; };
  p.a_bytes = round64(static_cast<size_t>(p.chunk_rows * row_bytes));
  p.slot_bytes = p.a_bytes + round64(static_cast<size_t>(p.chunk_rows * acc_row_bytes));
  // A few rows of an absurdly deep or wide layer could still ask for gigabytes: the reference
  // kernel needs no such scratch.
  if (p.slot_bytes > kMaxSlotBytes) return Status::Unsupported("layer too large for the GEMM's scratch");
  if (int64_t{p.panels} * p.k_pairs * 2 * kPanelWidth > kMaxPackedValues)
    return Status::Unsupported("weights too large to pack");
  // Weights: panel, k pair, channel, then the pair's two taps (vpmaddwd's operand order).
  p.packed.assign(static_cast<size_t>(p.panels) * p.k_pairs * 2 * kPanelWidth, 0);
  for (int32_t o = 0; o < shape.out_c; ++o) {
    const int32_t panel = o / kPanelWidth, lane = o % kPanelWidth;
    const int8_t* w = weights + int64_t{o} * p.k;
    int16_t* d = p.packed.data() + int64_t{panel} * p.k_pairs * 2 * kPanelWidth + 2 * lane;
    for (int64_t k = 0; k < p.k; ++k) d[(k / 2) * 2 * kPanelWidth + (k % 2)] = w[k];
  }
  scratch_ = ctx.RequestScratch(p.slot_bytes * static_cast<size_t>(p.slots));
  return Status::Ok();
}

void Int8Gemm::Run(InvokeContext& ctx) const {
  const Plan& p = p_;
  const int8_t* x = ctx.input(0)->data_as<int8_t>();
  int8_t* y = ctx.output(0)->data_as<int8_t>();
  char* scratch = static_cast<char*>(ctx.scratch(scratch_));
  ForEachSlot(ctx, p.slots, p.chunks, p.panels,
              [&](int64_t slot, int64_t chunk_begin, int64_t chunk_end, int32_t panel_begin, int32_t panel_end) {
                RunSlot(p, x, y, scratch + static_cast<size_t>(slot) * p.slot_bytes, chunk_begin, chunk_end,
                        panel_begin, panel_end);
              });
}

}  // namespace lithe::onednn
