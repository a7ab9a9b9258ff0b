// The `lithe` command line: one file per subcommand.
#pragma once

#include <string>
#include <vector>

namespace lithe::cli {

// Each subcommand takes its arguments (after the subcommand name) and returns the exit code.
// Errors are printed as one line on stderr.
int Inspect(const std::vector<std::string>& args);
int Run(const std::vector<std::string>& args);
int Convert(const std::vector<std::string>& args);  // convert.cc
int Eval(const std::vector<std::string>& args);     // eval.cc
int Quantize(const std::vector<std::string>& args); // quantize.cc
int Bench(const std::vector<std::string>& args);    // bench.cc

// A whole-string base-10 integer; false for "", trailing characters or overflow.
bool ParseInt(const std::string& s, long long* v);

// A whole-string finite float.
bool ParseFloat(const std::string& s, float* v);

// Prints "lithe: <message>" on stderr and returns 1.
int Fail(const std::string& message);
std::string JsonString(const std::string& s);
std::string JsonShape(const std::vector<int32_t>& shape);

}  // namespace lithe::cli
