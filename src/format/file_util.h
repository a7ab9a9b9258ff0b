// Writing files so that a failure never leaves a half-written one behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "lithe/status.h"

namespace lithe {

// Writes `size` bytes to a temporary file next to `path` (same directory, so the rename cannot
// cross file systems), flushes it, then renames it over `path`. On any error the temporary file
// is removed and `path` is left as it was.
Status WriteFileAtomic(const std::string& path, const uint8_t* data, size_t size);

}  // namespace lithe
