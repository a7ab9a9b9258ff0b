// `lithe bench` as a user runs it: a JSON report whose numbers hang together, FLOP counts that
// match the shapes of one-op models worked out by hand, one-line errors and usage errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/cli_runner.h"
#include "lithe/model.h"
#include "util/op_model.h"

namespace lithe::testing {
namespace {

using Output = CliOutput;
std::string TestDir() { return testing::TestDir("bench_cli"); }
Output Lithe(const std::string& args) { return RunLithe(args, TestDir()); }

// Models kept in the repository (small MNIST classifiers).
const std::string kCnn = std::string(LITHE_SOURCE_DIR) + "/models/zoo/mnist/cnn_tutorial.tflite";
const std::string kMlp = std::string(LITHE_SOURCE_DIR) + "/models/zoo/mnist/mlp.tflite";

// ---- a small JSON reader, enough to hold the report to its schema ----

struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  double number = 0;
  bool boolean = false;
  std::string string;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;

  bool has(const std::string& key) const {
    for (const auto& [k, v] : object)
      if (k == key) return true;
    return false;
  }
  const Json& operator[](const std::string& key) const {
    static const Json kMissing;
    for (const auto& [k, v] : object)
      if (k == key) return v;
    ADD_FAILURE() << "no key '" << key << "'";
    return kMissing;
  }
};

class JsonReader {
 public:
  explicit JsonReader(const std::string& s) : s_(s) {}
  // False on any syntax error or trailing text.
  bool Parse(Json* out) {
    if (!Value(out)) return false;
    Space();
    return p_ == s_.size();
  }

 private:
  void Space() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }
  bool Eat(char c) {
    Space();
    if (p_ < s_.size() && s_[p_] == c) return ++p_, true;
    return false;
  }
  bool Word(const char* w) {
    const std::string word(w);
    if (s_.compare(p_, word.size(), word) != 0) return false;
    p_ += word.size();
    return true;
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (p_ < s_.size() && s_[p_] != '"') {
      if (s_[p_] == '\\') {
        if (++p_ >= s_.size()) return false;
        if (s_[p_] == 'u') {
          if (p_ + 4 >= s_.size()) return false;
          *out += static_cast<char>(std::strtol(s_.substr(p_ + 1, 4).c_str(), nullptr, 16));
          p_ += 5;
          continue;
        }
      }
      *out += s_[p_++];
    }
    return p_ < s_.size() && s_[p_++] == '"';
  }
  bool Value(Json* v) {
    Space();
    if (p_ >= s_.size()) return false;
    const char c = s_[p_];
    if (c == '{') {
      v->kind = Json::kObject;
      ++p_;
      if (Eat('}')) return true;
      do {
        std::string key;
        Json item;
        if (!String(&key) || !Eat(':') || !Value(&item)) return false;
        v->object.emplace_back(std::move(key), std::move(item));
      } while (Eat(','));
      return Eat('}');
    }
    if (c == '[') {
      v->kind = Json::kArray;
      ++p_;
      if (Eat(']')) return true;
      do {
        Json item;
        if (!Value(&item)) return false;
        v->array.push_back(std::move(item));
      } while (Eat(','));
      return Eat(']');
    }
    if (c == '"') return v->kind = Json::kString, String(&v->string);
    if (Word("null")) return v->kind = Json::kNull, true;
    if (Word("true")) return v->kind = Json::kBool, v->boolean = true, true;
    if (Word("false")) return v->kind = Json::kBool, true;
    char* end = nullptr;
    v->kind = Json::kNumber;
    v->number = std::strtod(s_.c_str() + p_, &end);
    if (end == s_.c_str() + p_) return false;
    p_ = static_cast<size_t>(end - s_.c_str());
    return std::isfinite(v->number);
  }
  const std::string& s_;
  size_t p_ = 0;
};

Json ParseReport(const Output& o) {
  Json j;
  EXPECT_TRUE(JsonReader(o.out).Parse(&j)) << "not one JSON document:\n" << o.out;
  return j;
}

// Nodes that run per Invoke: the model's nodes less those folded at AllocateTensors, which
// node_details() marks "const" (counted here through the API, not through the CLI).
int NodesPerInvoke(const std::string& path, BackendChoice backend) {
  auto model = Model::FromFile(path);
  EXPECT_TRUE(model.ok());
  InterpreterOptions options;
  options.backend = backend;
  auto interp = Interpreter::Create(*model, options);
  EXPECT_TRUE(interp.ok() && (*interp)->AllocateTensors().ok());
  int n = 0;
  for (const NodeDetails& d : (*interp)->node_details()) n += d.backend != "const";
  return n;
}

// ---- the report ----

TEST(BenchCli, JsonReportHasOrderedLatenciesExactRunsAndAProfileSummingToAll) {
  Output o = Lithe("bench " + kCnn + " --runs 3 --warmup 1 --threads 2 --json --profile");
  ASSERT_EQ(o.code, 0) << o.err;
  const Json j = ParseReport(o);
  EXPECT_EQ(j["cpu_backend"].kind, Json::kString);
  EXPECT_EQ(j["cpu_backend"].string, CpuBackendDescription());
  ASSERT_EQ(j["models"].array.size(), 1u);
  const Json& m = j["models"].array[0];
  EXPECT_EQ(m["model"].string, kCnn);
  EXPECT_EQ(m["threads"].number, 2);
  EXPECT_EQ(m["backend"].string, "auto");
  EXPECT_EQ(m["runs"].number, 3);
  EXPECT_GT(m["init_ms"].number, 0);
  EXPECT_GT(m["first_ms"].number, 0);
  const Json& l = m["latency_ms"];
  EXPECT_GT(l["min"].number, 0);
  EXPECT_GE(l["p50"].number, l["min"].number);
  EXPECT_GE(l["p90"].number, l["p50"].number);
  EXPECT_GE(l["p99"].number, l["p90"].number);
  EXPECT_GE(l["mean"].number, l["min"].number);
  EXPECT_LE(l["mean"].number, l["p99"].number * 1.0001 + 1e-9);  // with 3 runs, p99 is nearly the max
  EXPECT_GE(l["std"].number, 0);
  EXPECT_GT(m["arena_bytes"].number, 0);
  EXPECT_GT(m["peak_rss_bytes"].number, 1 << 20);

  const int nodes = NodesPerInvoke(kCnn, BackendChoice::kAuto);
  EXPECT_EQ(m["nodes_cpu"].number + m["nodes_ref"].number, nodes);
  if (CpuBackendAvailable()) {
    EXPECT_GT(m["nodes_cpu"].number, 0);
  }
  const std::vector<Json>& prof = m["profile"].array;
  ASSERT_EQ(static_cast<int>(prof.size()), nodes);
  double share = 0;
  int on_cpu = 0, convs = 0;
  for (size_t i = 0; i < prof.size(); ++i) {
    const Json& p = prof[i];
    share += p["share"].number;
    on_cpu += p["backend"].string == "cpu";
    EXPECT_TRUE(p["backend"].string == "cpu" || p["backend"].string == "ref") << p["backend"].string;
    if (i > 0) {
      EXPECT_LE(p["ms"].number, prof[i - 1]["ms"].number) << "not sorted by time";
    }
    const std::string op = p["op"].string;
    if (op == "CONV_2D" || op == "FULLY_CONNECTED") {
      ++convs;
      ASSERT_EQ(p["gflops"].kind, Json::kNumber) << op;
      EXPECT_GT(p["gflops"].number, 0) << op;
    } else {
      EXPECT_EQ(p["gflops"].kind, Json::kNull) << op << " has no FLOP count";
    }
  }
  EXPECT_NEAR(share, 100.0, 0.01);
  EXPECT_EQ(on_cpu, m["nodes_cpu"].number);
  EXPECT_EQ(convs, 2);  // the tutorial CNN: one convolution, one dense layer
}

// Writes a one-op model and returns its path.
std::string WriteModel(OpModel& m, const std::string& name) {
  const std::string path = TestDir() + "/" + name + ".tflite";
  const std::vector<uint8_t> b = m.Build();
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  EXPECT_TRUE(f && std::fwrite(b.data(), 1, b.size(), f.get()) == b.size()) << path;
  return path;
}

TEST(BenchCli, FlopsAreTwiceTheMultiplyAccumulatesOfTheOpsShapes) {
  const std::vector<float> zeros(12 * 3 * 3 * 8, 0.0f);
  // CONV_2D: [1,16,16,8] * [12,3,3,8], SAME, stride 1 -> [1,16,16,12]; 16*16*12 outputs of 3*3*8.
  OpModel conv(::tflite::BuiltinOperator::CONV_2D);
  conv.AddInput(DType::kFloat32, {1, 16, 16, 8});
  conv.AddConst<float>(DType::kFloat32, {12, 3, 3, 8}, zeros);
  conv.AddConst<float>(DType::kFloat32, {12}, std::vector<float>(12, 0.0f));
  conv.AddOutput(DType::kFloat32);
  ::tflite::Conv2DOptionsT co;
  co.padding = ::tflite::Padding::SAME;
  co.stride_w = co.stride_h = 1;
  conv.SetOptions(co);
  // DEPTHWISE_CONV_2D: [1,16,16,8] * [1,3,3,8], VALID, stride 2 -> [1,7,7,8]; 7*7*8 outputs of 3*3.
  OpModel dw(::tflite::BuiltinOperator::DEPTHWISE_CONV_2D);
  dw.AddInput(DType::kFloat32, {1, 16, 16, 8});
  dw.AddConst<float>(DType::kFloat32, {1, 3, 3, 8}, std::vector<float>(72, 0.0f));
  dw.AddConst<float>(DType::kFloat32, {8}, std::vector<float>(8, 0.0f));
  dw.AddOutput(DType::kFloat32);
  ::tflite::DepthwiseConv2DOptionsT dwo;
  dwo.padding = ::tflite::Padding::VALID;
  dwo.stride_w = dwo.stride_h = 2;
  dwo.depth_multiplier = 1;
  dw.SetOptions(dwo);
  // FULLY_CONNECTED: [3,32] x [10,32]^T -> [3,10]; 30 dot products of length 32.
  OpModel fc(::tflite::BuiltinOperator::FULLY_CONNECTED);
  fc.AddInput(DType::kFloat32, {3, 32});
  fc.AddConst<float>(DType::kFloat32, {10, 32}, std::vector<float>(320, 0.0f));
  fc.AddOutput(DType::kFloat32);
  fc.SetOptions(::tflite::FullyConnectedOptionsT());
  // BATCH_MATMUL with adj_x: [2,8,4]^T x [2,8,5] -> [2,4,5]; 40 dot products of length 8.
  OpModel bmm(::tflite::BuiltinOperator::BATCH_MATMUL);
  bmm.AddInput(DType::kFloat32, {2, 8, 4});
  bmm.AddInput(DType::kFloat32, {2, 8, 5});
  bmm.AddOutput(DType::kFloat32);
  ::tflite::BatchMatMulOptionsT bo;
  bo.adj_x = true;
  bmm.SetOptions(bo);

  // TRANSPOSE_CONV: [1,4,4,6] -> [1,8,8,4] with weights [4,3,3,6]; each of the 4*4*6 inputs is
  // scattered into 3*3*4 outputs.
  OpModel tconv(::tflite::BuiltinOperator::TRANSPOSE_CONV);
  tconv.AddConst<int32_t>(DType::kInt32, {4}, {1, 8, 8, 4});
  tconv.AddConst<float>(DType::kFloat32, {4, 3, 3, 6}, std::vector<float>(4 * 3 * 3 * 6, 0.0f));
  tconv.AddInput(DType::kFloat32, {1, 4, 4, 6});
  tconv.AddOutput(DType::kFloat32);
  ::tflite::TransposeConvOptionsT to;
  to.padding = ::tflite::Padding::SAME;
  to.stride_w = to.stride_h = 2;
  tconv.SetOptions(to);

  const std::vector<std::pair<std::string, double>> expected = {
      {WriteModel(conv, "conv"), 2.0 * 16 * 16 * 12 * 3 * 3 * 8},
      {WriteModel(dw, "dwconv"), 2.0 * 7 * 7 * 8 * 3 * 3},
      {WriteModel(fc, "fc"), 2.0 * 3 * 10 * 32},
      {WriteModel(bmm, "bmm"), 2.0 * 2 * 4 * 5 * 8},
      {WriteModel(tconv, "tconv"), 2.0 * 4 * 4 * 6 * 3 * 3 * 4},
  };
  std::string args = "bench --runs 3 --warmup 0 --json --profile";
  for (const auto& [path, flops] : expected) args += " " + path;
  Output o = Lithe(args);
  ASSERT_EQ(o.code, 0) << o.err;
  const Json j = ParseReport(o);
  ASSERT_EQ(j["models"].array.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const Json& m = j["models"].array[i];
    EXPECT_EQ(m["model"].string, expected[i].first);
    ASSERT_EQ(m["profile"].array.size(), 1u) << expected[i].first;
    const Json& p = m["profile"].array[0];
    EXPECT_NEAR(p["share"].number, 100.0, 1e-6);
    // GFLOP/s * seconds per Invoke gives back the FLOPs (both printed to 6 digits).
    const double flops = p["gflops"].number * 1e9 * p["ms"].number * 1e-3;
    EXPECT_NEAR(flops, expected[i].second, expected[i].second * 1e-4) << p["op"].string;
  }
}

TEST(BenchCli, TextReportHasAColumnPerModelAndTheProfileOfEach) {
  Output o = Lithe("bench " + kCnn + " " + kMlp + " --runs 2 --warmup 0 --profile");
  ASSERT_EQ(o.code, 0) << o.err;
  for (const char* s : {"cnn_tutorial.tflite", "mlp.tflite", "latency p50 ms", "latency p99 ms", "first inference ms",
                        "init ms", "peak RSS", "arena", "profile of cnn_tutorial.tflite", "profile of mlp.tflite",
                        "by op type", "GFLOP/s", "cpu backend: "})
    EXPECT_NE(o.out.find(s), std::string::npos) << s << " missing from:\n" << o.out;
  // The model names head one line, the column headers.
  const size_t header = o.out.find("cnn_tutorial.tflite");
  EXPECT_LT(o.out.find("mlp.tflite"), o.out.find('\n', header));
}

TEST(BenchCli, ReferenceBackendRunsEveryNodeOnReferenceKernels) {
  Output o = Lithe("bench " + kCnn + " --runs 2 --warmup 0 --backend ref --json --profile");
  ASSERT_EQ(o.code, 0) << o.err;
  const Json j = ParseReport(o);
  ASSERT_EQ(j["models"].array.size(), 1u);
  const Json& m = j["models"].array[0];
  EXPECT_EQ(m["backend"].string, "ref");
  EXPECT_EQ(m["nodes_cpu"].number, 0);
  EXPECT_EQ(m["nodes_ref"].number, NodesPerInvoke(kCnn, BackendChoice::kReference));
  for (const Json& p : m["profile"].array) EXPECT_EQ(p["backend"].string, "ref") << p["op"].string;
  EXPECT_FALSE(m.has("nodes_const"));
}

TEST(BenchCli, WithoutProfileTheReportHasNoProfile) {
  Output o = Lithe("bench " + kMlp + " --runs 1 --warmup 0 --json");
  ASSERT_EQ(o.code, 0) << o.err;
  const Json j = ParseReport(o);
  ASSERT_EQ(j["models"].array.size(), 1u);
  const Json& m = j["models"].array[0];
  EXPECT_FALSE(m.has("profile"));
  EXPECT_EQ(m["latency_ms"]["min"].number, m["latency_ms"]["p99"].number);  // one run
  EXPECT_EQ(m["latency_ms"]["std"].number, 0);
}

TEST(BenchCli, MissingModelIsAOneLineError) {
  const std::string missing = TestDir() + "/no_such_model.tflite";
  Output o = Lithe("bench " + missing + " --runs 1");
  EXPECT_EQ(o.code, 1);
  EXPECT_TRUE(o.out.empty()) << o.out;
  EXPECT_NE(o.err.find("no_such_model.tflite"), std::string::npos) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
}

TEST(BenchCli, MalformedModelIsAOneLineError) {
  const std::string bad = TestDir() + "/garbage.tflite";
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(bad.c_str(), "wb"), &std::fclose);
  ASSERT_TRUE(f);
  std::fputs("this is not a flatbuffer at all", f.get());
  f.reset();
  Output o = Lithe("bench " + bad + " --runs 1");
  EXPECT_EQ(o.code, 1);
  EXPECT_TRUE(o.out.empty()) << o.out;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
}

TEST(BenchCli, BadFlagValuesAreUsageErrorsNamingTheFlag) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--threads 0", "--threads"},     {"--runs 0", "--runs"},       {"--runs x", "--runs"},
      {"--warmup -1", "--warmup"},      {"--backend gpu", "backend"}, {"--runs", "--runs"},
      {"--frobnicate", "--frobnicate"},
  };
  for (const auto& [flags, named] : cases) {
    Output o = Lithe("bench " + kMlp + " " + flags);
    EXPECT_EQ(o.code, 2) << flags;
    EXPECT_TRUE(o.out.empty()) << flags;
    EXPECT_NE(o.err.find(named), std::string::npos) << flags << ": " << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  }
  Output none = Lithe("bench --runs 3");
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("usage: lithe bench MODEL..."), std::string::npos) << none.err;
}

}  // namespace
}  // namespace lithe::testing
