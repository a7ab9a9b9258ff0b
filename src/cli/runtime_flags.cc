#include "cli/runtime_flags.h"

#include "cli/cli.h"

namespace lithe::cli {

bool ParseRuntimeFlag(const std::vector<std::string>& args, size_t* i, InterpreterOptions* options,
                      std::string* error) {
  const std::string& a = args[*i];
  const std::string* v = *i + 1 < args.size() ? &args[*i + 1] : nullptr;
  if (a == "--allow-precision-loss") {
    options->allow_precision_loss = true;
    return true;
  }
  if (a != "--threads" && a != "--backend") return false;
  ++*i;
  if (a == "--threads") {
    long long n = 0;
    if (v == nullptr || !ParseInt(*v, &n) || n < 1 || n > 256)
      *error = "--threads takes an integer in 1..256";
    else
      options->num_threads = static_cast<int>(n);
    return true;
  }
  auto b = v == nullptr ? Result<BackendChoice>(Status::Error("--backend takes auto, ref or cpu"))
                        : ParseBackendChoice(*v);
  if (!b.ok())
    *error = b.status().message();
  else
    options->backend = *b;
  return true;
}

const char* RuntimeFlagsUsage() { return "[--threads N] [--backend auto|ref|cpu] [--allow-precision-loss]"; }

std::string DescribeRuntime(const InterpreterOptions& options) {
  const int threads = options.num_threads == 0 ? DefaultNumThreads() : options.num_threads;
  std::string s = std::to_string(threads) + (threads == 1 ? " thread" : " threads") + ", backend " +
                  BackendChoiceName(options.backend);
  if (options.backend != BackendChoice::kReference) s += " (cpu: " + CpuBackendDescription() + ")";
  if (options.allow_precision_loss) s += ", precision loss allowed";
  return s;
}

}  // namespace lithe::cli
