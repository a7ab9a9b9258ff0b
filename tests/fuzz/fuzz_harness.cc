#include "fuzz_harness.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

#include "lithe/interpreter.h"
#include "lithe/model.h"

// Provided by the sanitizer runtimes; null in an uninstrumented build (weak reference).
extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

#if defined(__SANITIZE_ADDRESS__)
#define LITHE_FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LITHE_FUZZ_ASAN 1
#endif
#endif

namespace lithe::fuzz {
namespace {

// ---- Watchdog: names the variant on a crash, sanitizer report or hang. ----
// The handlers may only use async-signal-safe calls, hence the fixed buffer and write(2).
char g_variant[1024] = "(none)";
constexpr unsigned kHangSeconds = 300;  // one variant; generous for ASan on 2 cores

void WriteCurrentVariant(const char* what) {
  const char prefix[] = "\n*** lithe fuzz: ";
  const char mid[] = " while running variant: ";
  (void)!write(2, prefix, sizeof(prefix) - 1);
  (void)!write(2, what, std::strlen(what));
  (void)!write(2, mid, sizeof(mid) - 1);
  (void)!write(2, g_variant, std::strlen(g_variant));
  (void)!write(2, "\n", 1);
}

void OnDeath() { WriteCurrentVariant("sanitizer error"); }

void OnSignal(int sig) {
  WriteCurrentVariant(sig == SIGALRM ? "timeout (hang?)" : "fatal signal");
  signal(SIGABRT, SIG_DFL);
  if (sig == SIGALRM) abort();
  raise(sig);  // SA_RESETHAND restored the default action: die with the original signal
}

void InstallWatchdog() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(OnDeath);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, nullptr);
#ifndef LITHE_FUZZ_ASAN
  // ASan has its own SEGV handler (with the stack trace); don't replace it.
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &sa, nullptr);
#endif
}

class WatchScope {
 public:
  explicit WatchScope(const std::string& variant) {
    InstallWatchdog();
    std::snprintf(g_variant, sizeof(g_variant), "%s", variant.c_str());
    alarm(kHangSeconds);
  }
  ~WatchScope() {
    alarm(0);
    std::snprintf(g_variant, sizeof(g_variant), "(none)");
  }
};

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// An error whose message is empty breaks the "every error says what and where" rule.
bool Failed(Outcome* out, Stage stage, const std::string& message) {
  out->failed_at = stage;
  out->message = message;
  return true;
}

}  // namespace

std::string ModelsDir() {
  const char* env = std::getenv("LITHE_MODELS_DIR");
  if (env != nullptr && *env != '\0') return env;
  return std::string(LITHE_SOURCE_DIR) + "/.cache/models";
}

const std::vector<std::string>& FuzzModelNames() {
  static const std::vector<std::string> names = {
      "face_detection_short_range", "face_detection_full_range_sparse", "hand_landmark_lite",
      "selfie_segmentation"};
  return names;
}

bool ReadModelFile(const std::string& name, std::vector<uint8_t>* bytes, std::string* error) {
  const std::string path = ModelsDir() + "/" + name + ".tflite";
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *error = "cannot read " + path +
             ": the fuzz tests need the real models; run scripts/fetch_models.sh (or set "
             "LITHE_MODELS_DIR to a directory holding " + name + ".tflite)";
    return false;
  }
  bytes->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  if (bytes->empty()) {
    *error = path + " is empty; run scripts/fetch_models.sh again";
    return false;
  }
  return true;
}

uint64_t Rng::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t SeedOf(const std::string& s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string Join(const std::vector<int64_t>& values, const char* separator) {
  std::string s;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) s += separator;
    s += std::to_string(values[i]);
  }
  return s;
}

const char* StageName(Stage stage) {
  switch (stage) {
    case Stage::kLoad: return "Model::FromBuffer";
    case Stage::kCreate: return "Interpreter::Create";
    case Stage::kResize: return "ResizeInput";
    case Stage::kAllocate: return "AllocateTensors";
    case Stage::kSetInput: return "SetInput";
    case Stage::kInvoke: return "Invoke";
    case Stage::kGetOutput: return "GetOutput";
    case Stage::kDone: return "(all steps OK)";
  }
  return "?";
}

Outcome RunVariant(const std::vector<uint8_t>& bytes, int threads, BackendChoice backend, bool invoke,
                   size_t max_invoke_arena, const std::vector<std::vector<int32_t>>& resize) {
  Outcome out;
  // FromBuffer copies the bytes; a zero-length variant still passes a valid pointer.
  static const uint8_t kEmpty[1] = {0};
  auto model = Model::FromBuffer(bytes.empty() ? kEmpty : bytes.data(), bytes.size());
  if (!model.ok() && Failed(&out, Stage::kLoad, model.status().message())) return out;
  InterpreterOptions options;
  options.num_threads = threads;
  options.backend = backend;
  auto interp = Interpreter::Create(*model, options);
  if (!interp.ok() && Failed(&out, Stage::kCreate, interp.status().message())) return out;
  Interpreter& in = **interp;
  for (size_t i = 0; i < resize.size(); ++i) {
    Status s = in.ResizeInput(static_cast<int>(i), resize[i]);
    if (!s.ok() && Failed(&out, Stage::kResize, s.message())) return out;
  }
  Status s = in.AllocateTensors();
  if (!s.ok() && Failed(&out, Stage::kAllocate, s.message())) return out;
  out.arena_bytes = in.arena_stats().arena_bytes;
  if (!invoke || out.arena_bytes > max_invoke_arena) return out;

  out.invoked = true;
  for (int i = 0; i < in.num_inputs(); ++i) {
    const Tensor* t = in.tensor(in.input_details(i).index);
    std::vector<uint8_t> zeros(t != nullptr ? t->bytes : 0);
    s = in.SetInput(i, zeros.data(), zeros.size());
    if (!s.ok() && Failed(&out, Stage::kSetInput, s.message())) return out;
  }
  s = in.Invoke();
  if (!s.ok() && Failed(&out, Stage::kInvoke, s.message())) return out;
  for (int i = 0; i < in.num_outputs(); ++i) {
    const Tensor* t = in.tensor(in.output_details(i).index);
    std::vector<uint8_t> result(t != nullptr ? t->bytes : 0);
    s = in.GetOutput(i, result.data(), result.size());
    if (!s.ok() && Failed(&out, Stage::kGetOutput, s.message())) return out;
  }
  return out;
}

FuzzRun::FuzzRun(std::string model, std::string category)
    : model_(std::move(model)), category_(std::move(category)), start_(std::chrono::steady_clock::now()) {
  invoke_every_ = std::max(1, EnvInt("LITHE_FUZZ_INVOKE_EVERY", invoke_every_));
  max_invokes_ = EnvInt("LITHE_FUZZ_MAX_INVOKES", max_invokes_);
}

bool FuzzRun::Init(const std::vector<uint8_t>& bytes) {
  const std::string name = model_ + "/" + category_ + "/baseline";
  {
    WatchScope watch(name);
    baseline_ = RunVariant(bytes, /*threads=*/2, BackendChoice::kAuto, /*invoke=*/true, ~size_t{0}, {});
  }
  if (baseline_.failed_at == Stage::kLoad || baseline_.failed_at == Stage::kCreate) {
    ADD_FAILURE() << name << ": the unmutated model must load, but " << StageName(baseline_.failed_at)
                  << " failed: " << baseline_.message;
    return false;
  }
  if (baseline_.failed_at == Stage::kAllocate) {
    // Ops still being written: variants that get as far as AllocateTensors fail the same way,
    // so checks that need AllocateTensors to run are masked (counted in the summary).
    std::printf("[ note ] %s: the unmutated model fails AllocateTensors (%s); rejections expected "
                "at AllocateTensors cannot be told apart from it\n",
                name.c_str(), baseline_.message.substr(0, 200).c_str());
  } else if (baseline_.failed_at != Stage::kDone) {
    ADD_FAILURE() << name << ": the unmutated model failed at " << StageName(baseline_.failed_at)
                  << ": " << baseline_.message;
  }
  // Variants whose plan grew past twice the real one (inflated shapes) are not invoked.
  invoke_arena_cap_ = baseline_.failed_at == Stage::kDone ? 2 * baseline_.arena_bytes : size_t{64} << 20;
  return true;
}

void FuzzRun::Check(const std::string& variant, const std::vector<uint8_t>& bytes, const Expect& expect,
                    const std::vector<std::vector<int32_t>>& resize, bool always_invoke) {
  // About half the variants run on two threads, so ParallelFor in kernels sees malformed shapes too.
  // (Chosen from the name, so a variant re-run alone with LITHE_FUZZ_ONLY runs the same way.)
  const int threads = 1 + static_cast<int>(SeedOf(variant) % 2);
  // One variant in eight goes to the optimized CPU backend too (its kernels see the node only
  // after the reference kernel validated it; oneDNN's primitive creation makes every variant
  // on it slow, hence not all).
  const BackendChoice backend = (SeedOf(variant) / 2) % 8 == 0 ? BackendChoice::kAuto : BackendChoice::kReference;
  const std::string name = model_ + "/" + category_ + "/" + variant + (threads > 1 ? " [2 threads]" : "") +
                           (backend == BackendChoice::kAuto ? " [cpu backend]" : "");
  const char* only = std::getenv("LITHE_FUZZ_ONLY");
  if (only != nullptr && *only != '\0' && name.find(only) == std::string::npos) {
    ++skipped_;
    return;
  }
  if (std::getenv("LITHE_FUZZ_VERBOSE") != nullptr) std::printf("[ variant ] %s\n", name.c_str());
  ++variants_;
  // Invoke every n-th variant that allocates within the cap, up to a maximum per run: enough to
  // exercise kernels on mutated graphs while keeping the sanitizer run short.
  Outcome out;
  {
    WatchScope watch(name);
    out = RunVariant(bytes, threads, backend, /*invoke=*/false, 0, resize);
    if (out.failed_at == Stage::kDone && out.arena_bytes <= invoke_arena_cap_) {
      if (always_invoke || (successes_++ % invoke_every_ == 0 && invokes_ < max_invokes_)) {
        ++invokes_;
        out = RunVariant(bytes, threads, backend, /*invoke=*/true, invoke_arena_cap_, resize);
      }
    }
  }
  ++counts_[static_cast<int>(out.failed_at)];
  if (std::getenv("LITHE_FUZZ_VERBOSE") != nullptr)
    std::printf("    -> %s%s %s\n", out.failed_at == Stage::kDone ? "OK" : StageName(out.failed_at),
                out.invoked ? " (invoked)" : "", out.message.substr(0, 300).c_str());
  if (out.failed_at != Stage::kDone && out.message.empty()) {
    ADD_FAILURE() << name << ": " << StageName(out.failed_at) << " failed with an empty error message";
    return;
  }
  if (!expect.must_fail) return;
  const bool rejected = out.failed_at == Stage::kLoad || out.failed_at == Stage::kCreate ||
                        out.failed_at == Stage::kResize || out.failed_at == Stage::kAllocate;
  if (!rejected) {
    ADD_FAILURE() << name << ": this variant is invalid and must be rejected by loading or "
                  << "AllocateTensors, but " << (out.failed_at == Stage::kDone ? "every step succeeded"
                  : std::string(StageName(out.failed_at)) + " failed: " + out.message);
    return;
  }
  if (out.failed_at == Stage::kAllocate && baseline_.failed_at == Stage::kAllocate &&
      out.message == baseline_.message) {
    ++masked_;
    return;
  }
  const std::string lower = Lower(out.message);
  for (const auto& group : expect.groups) {
    bool found = false;
    for (const std::string& word : group) found = found || lower.find(Lower(word)) != std::string::npos;
    if (!found) {
      std::string wanted;
      for (const std::string& word : group) wanted += (wanted.empty() ? "'" : " or '") + word + "'";
      ADD_FAILURE() << name << ": rejected by " << StageName(out.failed_at)
                    << ", but the message does not name the culprit (expected " << wanted
                    << "): " << out.message;
      return;
    }
  }
}

void FuzzRun::PrintSummary() const {
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::printf("[ summary ] %s/%s: %d variants in %.1f s; rejected at load %d, create %d, resize %d, "
              "allocate %d (%d masked by the baseline's own AllocateTensors error); invoke-stage "
              "errors %d; fully OK %d; invoked %d%s\n",
              model_.c_str(), category_.c_str(), variants_, secs, counts_[0], counts_[1], counts_[2],
              counts_[3], masked_, counts_[4] + counts_[5] + counts_[6], counts_[7], invokes_,
              skipped_ > 0 ? " (others skipped by LITHE_FUZZ_ONLY)" : "");
}

}  // namespace lithe::fuzz
