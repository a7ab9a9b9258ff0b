#include "cli/cli.h"
namespace lithe::cli {
int Convert(const std::vector<std::string>&) { return Fail("convert: being written"); }
}  // namespace lithe::cli
