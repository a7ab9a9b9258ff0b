// The oneDNN engine and stream shared by the CPU backend's kernels, and small helpers.
#pragma once

#include <dnnl.hpp>

namespace lithe::onednn {

// One CPU engine for the process (oneDNN engines are thread-safe to share).
const dnnl::engine& Engine();
// A stream for the calling thread (streams are not shared between threads).
dnnl::stream& Stream();

}  // namespace lithe::onednn
