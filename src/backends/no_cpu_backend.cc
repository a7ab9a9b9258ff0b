// Built when oneDNN is not found: only the reference kernels exist.
#include "backends/backend.h"

namespace lithe {

void CpuBackendUseThreads(int) {}
bool CpuBackendAvailable() { return false; }
bool CpuHasBf16() { return false; }
std::string CpuBackendDescription() { return "not built (oneDNN was not found at configure time)"; }
std::unique_ptr<OpKernel> CreateCpuKernel(const Node&, const BackendConfig&) { return nullptr; }

}  // namespace lithe
