#include "cli/cli.h"
namespace lithe::cli {
int Eval(const std::vector<std::string>&) { return Fail("eval: being written"); }
}  // namespace lithe::cli
