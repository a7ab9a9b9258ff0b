// The flags every subcommand that runs a model shares: --threads N, --backend auto|ref|cpu,
// --allow-precision-loss.
#pragma once

#include <string>
#include <vector>

#include "lithe/interpreter.h"

namespace lithe::cli {

// If args[*i] is one of the runtime flags, applies it to `options` (consuming its value, so *i
// may advance) and returns true; sets *error for a bad value. Returns false for other args.
bool ParseRuntimeFlag(const std::vector<std::string>& args, size_t* i, InterpreterOptions* options,
                      std::string* error);
// "[--threads N] [--backend auto|ref|cpu] [--allow-precision-loss]"
const char* RuntimeFlagsUsage();
// "2 threads, backend auto (cpu: oneDNN 2.6.3, bf16 yes (AVX512_BF16))"
std::string DescribeRuntime(const InterpreterOptions& options);

}  // namespace lithe::cli
