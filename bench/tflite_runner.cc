// Times one .tflite model in TensorFlow Lite 2.9 (its C library, loaded with dlopen) with the
// XNNPACK delegate, for bench/peers.py. Prints one JSON line on stdout.
//
//   tflite_runner MODEL.tflite [--threads N] [--warmup N] [--runs N] [--no-xnnpack]
//                 [--lib libtensorflowlite_c.so] [IN0.npy IN1.npy ...]
//   tflite_runner MODEL.tflite --describe      # inputs only: {"inputs": [{"shape": [...], "dtype": "float32"}]}
//
// Inputs are .npy files in the order of the model's inputs (float32, int8, uint8, int32, int64;
// little-endian, C order). Threads: TfLiteInterpreterOptionsSetNumThreads(N) and the XNNPACK
// delegate's num_threads = N. The delegate's QS8/QU8 flags are set so that it also takes int8 and
// uint8 models. MediaPipe's custom ops (Convolution2DTransposeBias, MaxPoolingWithArgmax2D,
// MaxUnpooling2D) are registered as placeholders that fail if they are ever run: the XNNPACK
// delegate implements them (as MediaPipe's own TFLite build does), so they run only when delegated.
//
// No TensorFlow Lite header is needed: the few C API functions used are declared here and looked
// up with dlsym, like tests/oracle/tflite_oracle.cc.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#ifndef LITHE_SOURCE_DIR
#define LITHE_SOURCE_DIR "."
#endif

namespace {

struct TfLiteModel;
struct TfLiteInterpreterOptions;
struct TfLiteInterpreter;
struct TfLiteTensor;
struct TfLiteDelegate;
struct TfLiteContext;
struct TfLiteNode;
using TfLiteStatus = int;  // kTfLiteOk == 0

// tensorflow/lite/c/common.h (2.9): the registration of a custom op.
struct TfLiteRegistration {
  void* (*init)(TfLiteContext*, const char*, size_t);
  void (*free)(TfLiteContext*, void*);
  TfLiteStatus (*prepare)(TfLiteContext*, TfLiteNode*);
  TfLiteStatus (*invoke)(TfLiteContext*, TfLiteNode*);
  const char* (*profiling_string)(const TfLiteContext*, const TfLiteNode*);
  int32_t builtin_code;
  const char* custom_name;
  int version;
};

// tensorflow/lite/delegates/xnnpack/xnnpack_delegate.h of this build: 8 bytes (its
// TfLiteXNNPackDelegateOptionsDefault returns them in eax, and Create copies 8 bytes).
struct XnnpackOptions {
  int32_t num_threads;
  uint32_t flags;
};
constexpr uint32_t kXnnpackFlagQs8 = 1;  // TFLITE_XNNPACK_DELEGATE_FLAG_QS8
constexpr uint32_t kXnnpackFlagQu8 = 2;  // TFLITE_XNNPACK_DELEGATE_FLAG_QU8

struct Api {
  const char* (*Version)();
  TfLiteModel* (*ModelCreate)(const void*, size_t);
  void (*ModelDelete)(TfLiteModel*);
  TfLiteInterpreterOptions* (*OptionsCreate)();
  void (*OptionsDelete)(TfLiteInterpreterOptions*);
  void (*OptionsSetNumThreads)(TfLiteInterpreterOptions*, int32_t);
  void (*OptionsAddDelegate)(TfLiteInterpreterOptions*, TfLiteDelegate*);
  void (*OptionsAddCustomOp)(TfLiteInterpreterOptions*, const char*, const TfLiteRegistration*, int32_t,
                             int32_t);
  TfLiteInterpreter* (*InterpreterCreate)(const TfLiteModel*, const TfLiteInterpreterOptions*);
  void (*InterpreterDelete)(TfLiteInterpreter*);
  int32_t (*InputCount)(const TfLiteInterpreter*);
  TfLiteTensor* (*InputTensor)(const TfLiteInterpreter*, int32_t);
  TfLiteStatus (*ResizeInput)(TfLiteInterpreter*, int32_t, const int*, int32_t);
  TfLiteStatus (*Allocate)(TfLiteInterpreter*);
  TfLiteStatus (*Invoke)(TfLiteInterpreter*);
  int (*TensorType)(const TfLiteTensor*);
  int32_t (*NumDims)(const TfLiteTensor*);
  int32_t (*Dim)(const TfLiteTensor*, int32_t);
  size_t (*ByteSize)(const TfLiteTensor*);
  TfLiteStatus (*CopyFrom)(TfLiteTensor*, const void*, size_t);
  XnnpackOptions (*XnnpackOptionsDefault)();
  TfLiteDelegate* (*XnnpackCreate)(const XnnpackOptions*);
  void (*XnnpackDelete)(TfLiteDelegate*);
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "tflite_runner: %s\n", message.c_str());
  std::exit(1);
}

// TfLiteType numbers (c_api_types.h) and the matching numpy descr.
struct TypeInfo {
  int tflite;
  const char* name;
  const char* npy;
};
constexpr TypeInfo kTypes[] = {{1, "float32", "f4"}, {2, "int32", "i4"}, {3, "uint8", "u1"}, {4, "int64", "i8"},
                               {6, "bool", "b1"},    {7, "int16", "i2"}, {9, "int8", "i1"},  {10, "float16", "f2"}};

const TypeInfo* TypeByTflite(int t) {
  for (const TypeInfo& i : kTypes)
    if (i.tflite == t) return &i;
  return nullptr;
}

struct Npy {
  std::string descr;  // e.g. "f4"
  std::vector<int> shape;
  std::vector<uint8_t> data;
};

// .npy version 1-3, little-endian, C order.
Npy ReadNpy(const std::string& file) {
  std::ifstream f(file, std::ios::binary);
  if (!f) Die(file + ": cannot open");
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0) Die(file + ": not a .npy file");
  const size_t start = b[6] == 1 ? 10 : 12;
  if (b.size() < start) Die(file + ": truncated");
  const size_t len = b[6] == 1 ? (b[8] | (b[9] << 8)) : (b[8] | (b[9] << 8) | (b[10] << 16) | (size_t{b[11]} << 24));
  if (start + len > b.size()) Die(file + ": truncated header");
  const std::string h(b.begin() + static_cast<long>(start), b.begin() + static_cast<long>(start + len));
  Npy n;
  const size_t d = h.find("'descr'");
  const size_t q1 = h.find('\'', h.find(':', d) + 1);
  const size_t q2 = h.find('\'', q1 + 1);
  if (d == std::string::npos || q1 == std::string::npos || q2 == std::string::npos) Die(file + ": bad header");
  n.descr = h.substr(q1 + 1, q2 - q1 - 1);
  if (!n.descr.empty() && (n.descr[0] == '<' || n.descr[0] == '|')) n.descr.erase(0, 1);
  if (h.find("'fortran_order': True") != std::string::npos) Die(file + ": Fortran order is not supported");
  const size_t s = h.find('(', h.find("'shape'"));
  const size_t e = h.find(')', s);
  std::string dims = h.substr(s + 1, e - s - 1);
  for (size_t p = 0; p < dims.size();) {
    size_t c = dims.find(',', p);
    if (c == std::string::npos) c = dims.size();
    const std::string tok = dims.substr(p, c - p);
    if (tok.find_first_not_of(" ") != std::string::npos) n.shape.push_back(std::atoi(tok.c_str()));
    p = c + 1;
  }
  n.data.assign(b.begin() + static_cast<long>(start + len), b.end());
  return n;
}

std::string ShapeJson(const std::vector<int>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

std::string JsonEscape(const std::string& s) {
  std::string r;
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\';
    r += c;
  }
  return r;
}

double Percentile(const std::vector<double>& sorted, double q) {
  // Linear interpolation between closest ranks (numpy's default).
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

TfLiteStatus PlaceholderPrepare(TfLiteContext*, TfLiteNode*) { return 0; }
TfLiteStatus PlaceholderInvoke(TfLiteContext*, TfLiteNode*) {
  std::fprintf(stderr, "tflite_runner: a MediaPipe custom op was not taken by the XNNPACK delegate\n");
  return 1;
}

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, lib;
  int threads = 1, warmup = 5, runs = 20;
  bool xnnpack = true, describe = false;
  std::vector<std::string> input_files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--threads") {
      threads = std::atoi(value().c_str());
    } else if (a == "--warmup") {
      warmup = std::atoi(value().c_str());
    } else if (a == "--runs") {
      runs = std::atoi(value().c_str());
    } else if (a == "--lib") {
      lib = value();
    } else if (a == "--no-xnnpack") {
      xnnpack = false;
    } else if (a == "--describe") {
      describe = true;
    } else if (!a.empty() && a[0] == '-') {
      Die("unknown option " + a);
    } else if (model_path.empty()) {
      model_path = a;
    } else {
      input_files.push_back(a);
    }
  }
  if (model_path.empty() || threads < 1 || warmup < 0 || runs < 1)
    Die("usage: tflite_runner MODEL.tflite [--threads N] [--warmup N] [--runs N] [--no-xnnpack] [--lib SO] "
        "[--describe] [IN.npy ...]");
  if (lib.empty()) {
    const char* env = std::getenv("LITHE_TFLITE_LIB");
    lib = env != nullptr && *env ? env : std::string(LITHE_SOURCE_DIR) + "/.cache/tflite/lib/libtensorflowlite_c.so";
  }

  void* h = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) Die("cannot load " + lib + " (run scripts/fetch_models.sh): " + dlerror());
  Api a{};
  std::string missing;
  auto sym = [&](auto& fn, const char* name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(h, name));
    if (fn == nullptr) missing += std::string(" ") + name;
  };
  sym(a.Version, "TfLiteVersion");
  sym(a.ModelCreate, "TfLiteModelCreate");
  sym(a.ModelDelete, "TfLiteModelDelete");
  sym(a.OptionsCreate, "TfLiteInterpreterOptionsCreate");
  sym(a.OptionsDelete, "TfLiteInterpreterOptionsDelete");
  sym(a.OptionsSetNumThreads, "TfLiteInterpreterOptionsSetNumThreads");
  sym(a.OptionsAddDelegate, "TfLiteInterpreterOptionsAddDelegate");
  sym(a.OptionsAddCustomOp, "TfLiteInterpreterOptionsAddCustomOp");
  sym(a.InterpreterCreate, "TfLiteInterpreterCreate");
  sym(a.InterpreterDelete, "TfLiteInterpreterDelete");
  sym(a.InputCount, "TfLiteInterpreterGetInputTensorCount");
  sym(a.InputTensor, "TfLiteInterpreterGetInputTensor");
  sym(a.ResizeInput, "TfLiteInterpreterResizeInputTensor");
  sym(a.Allocate, "TfLiteInterpreterAllocateTensors");
  sym(a.Invoke, "TfLiteInterpreterInvoke");
  sym(a.TensorType, "TfLiteTensorType");
  sym(a.NumDims, "TfLiteTensorNumDims");
  sym(a.Dim, "TfLiteTensorDim");
  sym(a.ByteSize, "TfLiteTensorByteSize");
  sym(a.CopyFrom, "TfLiteTensorCopyFromBuffer");
  sym(a.XnnpackOptionsDefault, "TfLiteXNNPackDelegateOptionsDefault");
  sym(a.XnnpackCreate, "TfLiteXNNPackDelegateCreate");
  sym(a.XnnpackDelete, "TfLiteXNNPackDelegateDelete");
  if (!missing.empty()) Die(lib + " lacks:" + missing);

  std::ifstream f(model_path, std::ios::binary);
  if (!f) Die(model_path + ": cannot open");
  // TFLite keeps a pointer to the model bytes: they live until the end of main.
  const std::vector<char> model_bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());

  const auto t_init = std::chrono::steady_clock::now();
  TfLiteModel* model = a.ModelCreate(model_bytes.data(), model_bytes.size());
  if (model == nullptr) Die(model_path + ": TFLite rejected the model");
  TfLiteInterpreterOptions* options = a.OptionsCreate();
  a.OptionsSetNumThreads(options, threads);
  static const TfLiteRegistration kPlaceholder{nullptr, nullptr, PlaceholderPrepare, PlaceholderInvoke, nullptr, 0,
                                               nullptr, 1};
  for (const char* op : {"Convolution2DTransposeBias", "MaxPoolingWithArgmax2D", "MaxUnpooling2D"})
    a.OptionsAddCustomOp(options, op, &kPlaceholder, 1, 1000);
  TfLiteDelegate* delegate = nullptr;
  if (xnnpack && !describe) {
    XnnpackOptions xo = a.XnnpackOptionsDefault();
    xo.num_threads = threads;
    xo.flags |= kXnnpackFlagQs8 | kXnnpackFlagQu8;
    delegate = a.XnnpackCreate(&xo);
    if (delegate == nullptr) Die("TfLiteXNNPackDelegateCreate failed");
    a.OptionsAddDelegate(options, delegate);
  }
  TfLiteInterpreter* interp = a.InterpreterCreate(model, options);
  a.OptionsDelete(options);
  if (interp == nullptr) Die(model_path + ": TFLite could not create an interpreter");

  const int n_inputs = a.InputCount(interp);
  if (describe) {
    std::string json = "{\"inputs\": [";
    for (int i = 0; i < n_inputs; ++i) {
      const TfLiteTensor* t = a.InputTensor(interp, i);
      std::vector<int> shape;
      for (int d = 0; d < a.NumDims(t); ++d) shape.push_back(a.Dim(t, d));
      const TypeInfo* type = TypeByTflite(a.TensorType(t));
      json += std::string(i ? ", " : "") + "{\"shape\": " + ShapeJson(shape) + ", \"dtype\": \"" +
              (type ? type->name : "unknown") + "\"}";
    }
    std::printf("%s]}\n", json.c_str());
    return 0;
  }
  if (static_cast<int>(input_files.size()) != n_inputs)
    Die(model_path + " has " + std::to_string(n_inputs) + " inputs, " + std::to_string(input_files.size()) +
        " .npy files given");
  std::vector<Npy> inputs;
  for (int i = 0; i < n_inputs; ++i) {
    inputs.push_back(ReadNpy(input_files[i]));
    TfLiteTensor* t = a.InputTensor(interp, i);
    bool same = a.NumDims(t) == static_cast<int>(inputs[i].shape.size());
    for (int d = 0; same && d < a.NumDims(t); ++d) same = a.Dim(t, d) == inputs[i].shape[d];
    if (!same && a.ResizeInput(interp, i, inputs[i].shape.data(), static_cast<int>(inputs[i].shape.size())) != 0)
      Die("cannot resize input " + std::to_string(i) + " to " + ShapeJson(inputs[i].shape));
  }
  if (a.Allocate(interp) != 0) Die(model_path + ": AllocateTensors failed");
  for (int i = 0; i < n_inputs; ++i) {
    TfLiteTensor* t = a.InputTensor(interp, i);
    const TypeInfo* type = TypeByTflite(a.TensorType(t));
    if (type == nullptr || inputs[i].descr != type->npy)
      Die(input_files[i] + ": dtype " + inputs[i].descr + " given for input " + std::to_string(i) + " of type " +
          (type ? type->name : "unknown"));
    if (a.ByteSize(t) != inputs[i].data.size() || a.CopyFrom(t, inputs[i].data.data(), inputs[i].data.size()) != 0)
      Die(input_files[i] + ": size does not match input " + std::to_string(i));
  }
  const double init_ms = MsSince(t_init);

  const auto t_first = std::chrono::steady_clock::now();
  if (a.Invoke(interp) != 0) Die(model_path + ": Invoke failed");
  const double first_ms = MsSince(t_first);
  for (int i = 0; i < warmup; ++i)
    if (a.Invoke(interp) != 0) Die(model_path + ": Invoke failed");
  std::vector<double> ms(static_cast<size_t>(runs));
  for (double& m : ms) {
    const auto t0 = std::chrono::steady_clock::now();
    if (a.Invoke(interp) != 0) Die(model_path + ": Invoke failed");
    m = MsSince(t0);
  }
  a.InterpreterDelete(interp);
  if (delegate != nullptr) a.XnnpackDelete(delegate);
  a.ModelDelete(model);

  double mean = 0;
  for (double m : ms) mean += m;
  mean /= static_cast<double>(ms.size());
  double var = 0;
  for (double m : ms) var += (m - mean) * (m - mean);
  const double std_ms = std::sqrt(var / static_cast<double>(ms.size()));
  std::sort(ms.begin(), ms.end());
  std::printf(
      "{\"engine\": \"tflite\", \"version\": \"%s\", \"xnnpack\": %s, \"model\": \"%s\", \"threads\": %d, "
      "\"init_ms\": %.4f, \"first_ms\": %.4f, \"latency_ms\": {\"min\": %.4f, \"p50\": %.4f, \"p90\": %.4f, "
      "\"p99\": %.4f, \"mean\": %.4f, \"std\": %.4f}, \"runs\": %d}\n",
      JsonEscape(a.Version()).c_str(), xnnpack ? "true" : "false", JsonEscape(model_path).c_str(), threads, init_ms,
      first_ms, ms.front(), Percentile(ms, 0.5), Percentile(ms, 0.9), Percentile(ms, 0.99), mean, std_ms, runs);
  return 0;
}
