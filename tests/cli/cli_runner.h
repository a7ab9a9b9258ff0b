// Runs the `lithe` executable as a user does, for the CLI tests (tests/cli/*_test.cc).
//
//   CliOutput o = RunLithe("inspect model.tflite", TestDir("cli"));
//   EXPECT_EQ(o.code, 0) << o.err;
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace lithe::testing {

struct CliOutput {
  int code = -1;
  std::string out, err;
};

// A folder of the current test's own (ctest runs the tests of one file in parallel processes),
// named <prefix>_<test name> under the test temp dir. `fresh` empties it first.
inline std::string TestDir(const std::string& prefix, bool fresh = false) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string dir = ::testing::TempDir() + "/lithe_" + prefix + "_" + info->name();
  if (fresh) std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Runs `lithe ARGS` (LITHE_BINARY); stderr goes through a file in `dir`.
inline CliOutput RunLithe(const std::string& args, const std::string& dir) {
  const std::string err_file = dir + "/stderr.txt";
  const std::string cmd = std::string(LITHE_BINARY) + " " + args + " 2>" + err_file;
  CliOutput o;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return o;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) o.out.append(buf, n);
  const int status = pclose(p);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream f(err_file);
  std::stringstream ss;
  ss << f.rdbuf();
  o.err = ss.str();
  return o;
}

}  // namespace lithe::testing
