// The oneDNN engine and stream shared by the CPU backend's kernels, and small helpers.
#pragma once

#include <dnnl.hpp>
#include <string>

namespace lithe::onednn {

// One CPU engine for the process (oneDNN engines are thread-safe to share).
const dnnl::engine& Engine();
// A stream for the calling thread (streams are not shared between threads).
dnnl::stream& Stream();

// True on CPUs with AVX2: the instruction set of lithe's own kernels in this backend (int8
// without VNNI, max pooling, QUANTIZE); they decline elsewhere.
inline bool CpuHasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}

// True on CPUs with AVX2 and FMA: the float32 convolution GEMM's instruction set.
inline bool CpuHasAvx2Fma() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

// True on CPUs with AVX-512 F, where oneDNN's own kernels run at twice the AVX2 width.
inline bool CpuHasAvx512() {
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
}

// True when oneDNN picked its own reference implementation (no faster than lithe's).
inline bool IsReferenceImpl(const dnnl::primitive_desc_base& pd) {
  return std::string(pd.impl_info_str()).find("ref") != std::string::npos;
}

// Copies constant weights given by `user_md` (pointing at `data`) into a new memory of the
// primitive's layout `want`.
inline dnnl::memory ReorderWeights(const dnnl::memory::desc& user_md, const void* data,
                                   const dnnl::memory::desc& want) {
  const dnnl::engine& eng = Engine();
  dnnl::memory user(user_md, eng, const_cast<void*>(data));
  dnnl::memory packed(want, eng);
  dnnl::stream& s = Stream();
  dnnl::reorder(user, packed).execute(s, user, packed);
  s.wait();
  return packed;
}

}  // namespace lithe::onednn
