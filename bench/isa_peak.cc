// The arithmetic peak of one core for the instructions lithe's x86 kernels are built on, so that
// `lithe bench --profile`'s GFLOP/s and GOP/s can be read against what this CPU can do:
//   vfmadd231ps          float32 multiply-add (oneDNN's and lithe's float kernels)
//   vpmaddwd + vpaddd    exact int8 multiply-add on int16-widened operands (lithe's int8
//                        kernels on CPUs without VNNI)
// Each loop keeps 12 independent accumulators, enough to hide the instructions' latency, so the
// result is their throughput. Run on an idle machine: `build/bench/isa_peak`.
#include <immintrin.h>

#include <chrono>
#include <cstdio>

namespace {

constexpr long kIters = 100000000;

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

#define LITHE_R12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

// Returns G multiply-adds per second (16 int16 products per instruction).
__attribute__((target("avx2"))) double MaddwdRate(int* sink) {
#define LITHE_DECL(i) __m256i a##i = _mm256_set1_epi32(i);
  LITHE_R12(LITHE_DECL)
  __m256i x = _mm256_set1_epi32(0x00020001), w = _mm256_set1_epi16(3);
  const auto t0 = std::chrono::steady_clock::now();
  for (long it = 0; it < kIters; ++it) {
#define LITHE_STEP(i) a##i = _mm256_add_epi32(a##i, _mm256_madd_epi16(x, w));
    LITHE_R12(LITHE_STEP)
    __asm__ volatile("" : "+x"(x), "+x"(w));  // keeps the operands in registers, unfolded
  }
  const double s = Seconds(t0);
#define LITHE_SUM(i) _mm256_extract_epi32(a##i, 0) +
  *sink = LITHE_R12(LITHE_SUM) 0;
  return kIters * 12.0 * 16 / s / 1e9;
}

// Returns G multiply-adds per second (8 per instruction).
__attribute__((target("avx2,fma"))) double FmaRate(float* sink) {
#define LITHE_DECLF(i) __m256 f##i = _mm256_set1_ps(1.f + i);
  LITHE_R12(LITHE_DECLF)
  __m256 x = _mm256_set1_ps(1.0000001f), y = _mm256_set1_ps(0.9999999f);
  const auto t0 = std::chrono::steady_clock::now();
  for (long it = 0; it < kIters; ++it) {
#define LITHE_STEPF(i) f##i = _mm256_fmadd_ps(x, y, f##i);
    LITHE_R12(LITHE_STEPF)
    __asm__ volatile("" : "+x"(x), "+x"(y));
  }
  const double s = Seconds(t0);
#define LITHE_SUMF(i) _mm256_cvtss_f32(f##i) +
  *sink = LITHE_R12(LITHE_SUMF) 0.f;
  return kIters * 12.0 * 8 / s / 1e9;
}

}  // namespace

int main() {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    std::printf("this CPU has no AVX2 + FMA: nothing to measure\n");
    return 0;
  }
  int isink = 0;
  float fsink = 0;
  const double madd = MaddwdRate(&isink);
  const double fma = FmaRate(&fsink);
  std::printf("int8 via vpmaddwd+vpaddd: %.1f G multiply-adds/s = %.1f GOP/s\n", madd, 2 * madd);
  std::printf("float32 via vfmadd231ps:  %.1f G multiply-adds/s = %.1f GFLOP/s\n", fma, 2 * fma);
  std::printf("(checksums %d %g)\n", isink, static_cast<double>(fsink));
  return 0;
}
