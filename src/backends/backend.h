// Backends offer kernels. At AllocateTensors the interpreter asks the optimized CPU backend
// first (when it is built and not turned off), then the reference kernels (src/ops/, which
// support everything lithe claims):
//
//   std::unique_ptr<OpKernel> k = CreateCpuKernel(node, config);   // null: no kernel for this op
//   Status s = k->Prepare(ctx);   // Status::Unsupported(why): not for these dtypes/shapes/options
//
// A declined node goes to the reference kernel; the reason shows in `lithe inspect`.
#pragma once

#include <memory>
#include <string>

#include "lithe/graph.h"
#include "lithe/interpreter.h"  // CpuBackendAvailable, CpuBackendDescription
#include "lithe/op.h"

namespace lithe {

// What a backend's kernels are told when created. (The thread count comes at Prepare, from
// PrepareContext::num_threads.)
struct BackendConfig {
  // Float models may run in bfloat16 where the CPU has it (AVX512_BF16).
  bool allow_precision_loss = false;
};

// Sets the threads the backend's primitives use on the calling thread (OpenMP's team size).
void CpuBackendUseThreads(int num_threads);
// True when the CPU can run bfloat16 arithmetic natively (AVX512_BF16).
bool CpuHasBf16();
// The optimized kernel for `node`, or null when the CPU backend has none for its op.
std::unique_ptr<OpKernel> CreateCpuKernel(const Node& node, const BackendConfig& config);

}  // namespace lithe
