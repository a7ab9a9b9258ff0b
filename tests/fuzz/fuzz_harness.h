// The malformed-input harness: feeds one variant of a model file through lithe's public API
// (Model::FromBuffer -> Interpreter::Create -> [ResizeInput] -> AllocateTensors -> SetInput of
// zeros -> Invoke -> GetOutput) and checks that it comes back OK or as an error Status with a
// message, and, for variants that must be rejected, that the error names the culprit.
//
//   lithe::fuzz::FuzzRun run("hand_landmark_lite", "flips");
//   ASSERT_TRUE(run.Init(bytes));                       // the unmutated model must load
//   run.Check("flip#3 seed=0x12 offsets=[40]", mutated, lithe::fuzz::Expect::NoCrash());
//   run.PrintSummary();
//
// A crash, sanitizer report or hang prints the variant being run (see Watchdog), so every
// failure names a deterministic variant that can be re-run alone with
// LITHE_FUZZ_ONLY=<part of its name>.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lithe/interpreter.h"

namespace lithe::fuzz {

// ${LITHE_MODELS_DIR}, else <repo>/.cache/models.
std::string ModelsDir();
// The four real models the fuzz tests derive their variants from.
const std::vector<std::string>& FuzzModelNames();
// Reads <ModelsDir()>/<name>.tflite. On failure `error` says to run scripts/fetch_models.sh.
bool ReadModelFile(const std::string& name, std::vector<uint8_t>* bytes, std::string* error);

// Deterministic, platform-independent randomness (splitmix64): a variant's seed fully
// determines it, whatever the standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }

 private:
  uint64_t state_;
};
// FNV-1a of a string: seeds derived from names like "hand_landmark_lite/flip/17".
uint64_t SeedOf(const std::string& s);
std::string Hex(uint64_t v);
// "1x128x128x3" for Join(shape, "x").
std::string Join(const std::vector<int64_t>& values, const char* separator);
template <class T>
std::string Join(const std::vector<T>& values, const char* separator) {
  return Join(std::vector<int64_t>(values.begin(), values.end()), separator);
}

// What a variant must do. NoCrash: OK or any error with a message. Reject: loading, Create,
// ResizeInput or AllocateTensors must fail, and the message must contain, for every group, at
// least one of the group's strings (case-insensitive).
struct Expect {
  bool must_fail = false;
  std::vector<std::vector<std::string>> groups;
  static Expect NoCrash() { return {}; }
  static Expect Reject(std::vector<std::vector<std::string>> groups) { return {true, std::move(groups)}; }
};

enum class Stage { kLoad, kCreate, kResize, kAllocate, kSetInput, kInvoke, kGetOutput, kDone };
const char* StageName(Stage stage);

struct Outcome {
  Stage failed_at = Stage::kDone;  // kDone: every step succeeded
  std::string message;
  size_t arena_bytes = 0;          // after a successful AllocateTensors
  bool invoked = false;
};

// Tests of one model and one category of variants. Keeps the baseline (the unmutated model's
// outcome), decides which variants are invoked, and counts outcomes for the summary.
class FuzzRun {
 public:
  FuzzRun(std::string model, std::string category);
  // Runs the unmutated bytes; returns false (after recording a test failure) when the
  // baseline does not load, since every other result would then be meaningless.
  bool Init(const std::vector<uint8_t>& bytes);
  // Runs one variant and records a test failure when it breaks `expect`. `resize`: shapes
  // given to ResizeInput(i, ...) for inputs 0.. before AllocateTensors. `always_invoke`: invoke
  // whenever AllocateTensors succeeds (within the arena cap), not only every n-th time.
  void Check(const std::string& variant, const std::vector<uint8_t>& bytes, const Expect& expect,
             const std::vector<std::vector<int32_t>>& resize = {}, bool always_invoke = false);
  void PrintSummary() const;
  const std::string& model() const { return model_; }

 private:
  std::string model_, category_;
  Outcome baseline_;
  size_t invoke_arena_cap_ = 0;
  int successes_ = 0, invokes_ = 0, invoke_every_ = 2, max_invokes_ = 16;
  int counts_[8] = {};
  int variants_ = 0, masked_ = 0, skipped_ = 0;
  std::chrono::steady_clock::time_point start_;
};

// Runs one variant (no checks) on an interpreter with `threads` threads. `invoke`: run
// SetInput/Invoke/GetOutput when AllocateTensors succeeds with an arena of at most
// `max_invoke_arena` bytes.
Outcome RunVariant(const std::vector<uint8_t>& bytes, int threads, BackendChoice backend, bool invoke,
                   size_t max_invoke_arena,
                   const std::vector<std::vector<int32_t>>& resize);

}  // namespace lithe::fuzz
