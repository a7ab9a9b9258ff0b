// Malformed ONNX files through the importer: truncations, byte flips and structural mutations
// (through the protobuf API) of a few valid models: two small CNN/MLP graphs built here the way
// PyTorch exports them, ONNX node-test models with claimed ops that convert, and the model
// zoo's *.onnx (models/zoo) when present. ConvertOnnx must return OK or an error with a message;
// when it returns OK, lithe must load the bytes, and AllocateTensors (then Invoke on zeros) must
// succeed or return an error. Never a crash, hang or sanitizer report.
//
// Every variant is deterministic (splitmix64 seeded from its name). A crash or hang (alarm,
// 20 s) prints the variant being run; LITHE_ONNX_FUZZ_VERBOSE=1 prints every variant and its
// outcome.
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <gtest/gtest.h>

#include "convert/onnx_fuzz_mutations.h"
#include "convert/onnx_import.h"
#include "convert/onnx_test_util.h"
#include "lithe/interpreter.h"
#include "lithe/model.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#endif

namespace lithe::testing {
namespace {

using namespace onnx_fuzz;  // NOLINT: the test's own material

// ---- Crash reporting -------------------------------------------------------------------------

char g_current[512] = "";  // the variant being run, for crash reports

void PrintCurrent() {
  const char head[] = "\n*** ONNX fuzz variant being run: ";
  if (write(2, head, sizeof(head) - 1) < 0) {}
  if (write(2, g_current, std::strlen(g_current)) < 0) {}
  if (write(2, "\n", 1) < 0) {}
}

void OnFatalSignal(int sig) {
  PrintCurrent();
  if (sig == SIGALRM) {
    const char msg[] = "*** hung: no result within 20 s\n";
    if (write(2, msg, sizeof(msg) - 1) < 0) {}
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

void InstallCrashReporter() {
  static bool done = false;
  if (done) return;
  done = true;
#ifdef __SANITIZE_ADDRESS__
  // The sanitizer reports SEGV and friends itself (with a stack): keep its handlers, add ours.
  __sanitizer_set_death_callback(PrintCurrent);
  for (int sig : {SIGABRT, SIGALRM}) signal(sig, OnFatalSignal);
#else
  for (int sig : {SIGSEGV, SIGABRT, SIGFPE, SIGBUS, SIGILL, SIGALRM}) signal(sig, OnFatalSignal);
#endif
}

// ---- Running one variant ---------------------------------------------------------------------

struct Tally {
  int variants = 0, converted = 0, rejected = 0, allocated = 0, invoked = 0;
  std::vector<std::string> failures;
};

bool Verbose() { return std::getenv("LITHE_ONNX_FUZZ_VERBOSE") != nullptr; }

void Check(const std::string& name, const std::string& bytes, Tally* tally) {
  std::snprintf(g_current, sizeof(g_current), "%s", name.c_str());
  ++tally->variants;
  alarm(20);
  std::string outcome;
  auto r = convert::ConvertOnnx(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!r.ok()) {
    ++tally->rejected;
    outcome = "rejected: " + r.status().message();
    if (r.status().message().empty()) tally->failures.push_back(name + ": error without a message");
  } else {
    ++tally->converted;
    outcome = "converted";
    auto model = Model::FromBuffer(r->data(), r->size());
    if (!model.ok()) {
      tally->failures.push_back(name + ": ConvertOnnx returned OK but lithe cannot load the result: " +
                                model.status().message());
    } else {
      InterpreterOptions options;
      options.max_arena_bytes = size_t{256} << 20;
      auto interp = Interpreter::Create(*model, options);
      Status s = interp.ok() ? (*interp)->AllocateTensors() : interp.status();
      if (!s.ok()) {
        outcome += ", not allocated: " + s.message();
        if (s.message().empty()) tally->failures.push_back(name + ": AllocateTensors error without a message");
      } else {
        ++tally->allocated;
        Interpreter& in = **interp;
        bool fed = true;
        for (int i = 0; i < in.num_inputs() && fed; ++i) {
          const Tensor* t = in.tensor(in.input_details(i).index);
          std::vector<uint8_t> zeros(t->bytes);
          fed = in.SetInput(i, zeros.data(), zeros.size()).ok();
        }
        if (fed) {
          s = in.Invoke();
          if (s.ok()) ++tally->invoked;
          else if (s.message().empty()) tally->failures.push_back(name + ": Invoke error without a message");
          outcome += s.ok() ? ", invoked" : ", invoke error: " + s.message();
        }
      }
    }
  }
  alarm(0);
  if (Verbose()) std::printf("  %s: %s\n", name.c_str(), outcome.c_str());
}

void Report(const std::string& what, const Tally& t) {
  std::printf("%s: %d variants: %d rejected, %d converted (%d allocated, %d invoked)\n", what.c_str(), t.variants,
              t.rejected, t.converted, t.allocated, t.invoked);
  std::string list;
  for (size_t i = 0; i < t.failures.size() && i < 40; ++i) list += "\n  " + t.failures[i];
  EXPECT_TRUE(t.failures.empty()) << t.failures.size() << " variant(s) misbehaved:" << list;
}

std::string Serialize(const onnx::ModelProto& m) {
  std::string s;
  m.SerializeToString(&s);
  return s;
}

bool Converts(const std::string& bytes) {
  return convert::ConvertOnnx(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()).ok();
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') out.push_back(e->d_name);
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Seed {
  std::string name;
  std::string bytes;
};

// The built models, up to 8 node-test models (one per op type, those that convert) and the
// zoo's models. Computed once.
const std::vector<Seed>& Seeds() {
  static const std::vector<Seed> seeds = [] {
    std::vector<Seed> s = {{"cnn", Serialize(CnnModel())}, {"mlp", Serialize(MlpModel())}};
    const std::vector<std::string> claimed_list = convert::SupportedOnnxOps();
    const std::set<std::string> claimed(claimed_list.begin(), claimed_list.end());
    const std::string node_dir = "/usr/share/libonnx-testdata/data/node";
    std::set<std::string> used_ops;
    int picked = 0;
    for (const std::string& c : ListDir(node_dir)) {
      if (picked >= 8 || claimed.empty()) break;
      const std::string bytes = ReadFile(node_dir + "/" + c + "/model.onnx");
      onnx::ModelProto m;
      if (!m.ParseFromString(bytes) || m.graph().node_size() == 0) continue;
      bool all_claimed = true, new_op = false;
      for (const auto& n : m.graph().node()) {
        all_claimed = all_claimed && n.domain().empty() && claimed.count(n.op_type());
        new_op = new_op || !used_ops.count(n.op_type());
      }
      if (!all_claimed || !new_op || !Converts(bytes)) continue;
      for (const auto& n : m.graph().node()) used_ops.insert(n.op_type());
      s.push_back({c, bytes});
      ++picked;
    }
    const std::string zoo = std::string(LITHE_SOURCE_DIR) + "/models/zoo";
    for (const std::string& sub : ListDir(zoo))
      for (const std::string& f : ListDir(zoo + "/" + sub))
        if (f.size() > 5 && f.compare(f.size() - 5, 5, ".onnx") == 0)
          s.push_back({"zoo/" + sub + "/" + f, ReadFile(zoo + "/" + sub + "/" + f)});
    return s;
  }();
  return seeds;
}

class OnnxFuzz : public ::testing::Test {
 protected:
  void SetUp() override {
    InstallCrashReporter();
    if (convert::SupportedOnnxOps().empty()) GTEST_FAIL() << "importer claims no ops: nothing to fuzz";
  }
};

TEST_F(OnnxFuzz, SeedModelsConvert) {
  for (const Seed& s : Seeds()) {
    auto r = convert::ConvertOnnx(reinterpret_cast<const uint8_t*>(s.bytes.data()), s.bytes.size());
    std::printf("  seed %-40s %7zu bytes: %s\n", s.name.c_str(), s.bytes.size(),
                r.ok() ? "converts" : r.status().message().c_str());
    // The built models and the zoo's are what the importer is for: they must convert.
    if (s.name == "cnn" || s.name == "mlp" || s.name.rfind("zoo/", 0) == 0) {
      EXPECT_TRUE(r.ok()) << s.name << ": " << r.status().message();
    }
  }
  EXPECT_GE(Seeds().size(), 4u) << "too few seed models";
}

// ---- Byte-level variants ---------------------------------------------------------------------

TEST_F(OnnxFuzz, TruncationsAndByteFlipsNeverCrash) {
  Tally tally;
  for (const Seed& s : Seeds()) {
    const size_t n = s.bytes.size();
    std::set<size_t> lengths = {0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64};
    for (int i = 1; i < 24; ++i) lengths.insert(n * static_cast<size_t>(i) / 24);
    for (size_t back : {1, 2, 3, 4, 8, 100}) lengths.insert(n > back ? n - back : 0);
    for (size_t len : lengths) {
      if (len < n) Check(s.name + " truncate=" + std::to_string(len), s.bytes.substr(0, len), &tally);
    }
    const int flips = n > 100000 ? 40 : 120;
    for (int v = 0; v < flips; ++v) {
      const std::string name = s.name + " flip#" + std::to_string(v);
      Rng rng(SeedOf(name));
      std::string b = s.bytes;
      const int count = 1 + static_cast<int>(rng.Below(4));
      for (int k = 0; k < count; ++k) {
        // Half the flips in the first 4 KiB, where the graph's structure tends to be (protobuf
        // writes initializers' large raw_data after the nodes).
        const size_t pos = rng.Below(2) == 0 ? rng.Below(std::min<size_t>(n, 4096)) : rng.Below(n);
        b[pos] = static_cast<char>(rng.Below(2) == 0 ? b[pos] ^ (1 << rng.Below(8)) : rng.Below(256));
      }
      Check(name, b, &tally);
    }
  }
  Report("truncations and flips", tally);
  EXPECT_GT(tally.rejected, 0);
}

void RunMutations(const std::string& seed_name, const onnx::ModelProto& base, const std::vector<Mutation>& muts,
                  Tally* tally) {
  for (const Mutation& mu : muts) {
    onnx::ModelProto m = base;
    mu.second(m);
    Check(seed_name + " [" + mu.first + "]", Serialize(m), tally);
  }
}

TEST_F(OnnxFuzz, StructuralMutationsNeverCrash) {
  Tally tally;
  const onnx::ModelProto cnn = CnnModel(), mlp = MlpModel();
  RunMutations("cnn", cnn, CnnMutations(), &tally);
  RunMutations("mlp", mlp, MlpMutations(), &tally);
  for (const Seed& s : Seeds()) {
    onnx::ModelProto m;
    ASSERT_TRUE(m.ParseFromString(s.bytes)) << s.name;
    std::vector<Mutation> muts = GenericMutations(m);
    // Large models: a deterministic sample of at most 150 variants.
    if (muts.size() > 150) {
      Rng rng(SeedOf(s.name));
      std::vector<Mutation> sample;
      for (size_t i = 0; i < muts.size(); ++i)
        if (rng.Below(muts.size()) < 150) sample.push_back(muts[i]);
      muts = std::move(sample);
    }
    RunMutations(s.name, m, muts, &tally);
  }
  Report("structural mutations", tally);
  EXPECT_GT(tally.rejected, 0);
  EXPECT_GT(tally.converted, 0);
}

}  // namespace
}  // namespace lithe::testing
