#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace lithe::cli {

int Fail(const std::string& message) {
  std::string one_line = message;
  for (char& c : one_line)
    if (c == '\n') c = ' ';
  std::cerr << "lithe: " << one_line << "\n";
  return 1;
}

bool ParseInt(const std::string& s, long long* v) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  *v = std::strtoll(s.c_str(), &end, 10);
  return errno == 0 && end != nullptr && *end == '\0';
}

bool ParseFloat(const std::string& s, float* v) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  *v = std::strtof(s.c_str(), &end);
  return errno == 0 && end != nullptr && *end == '\0' && std::isfinite(*v);
}

std::string JsonString(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      o += buf;
    } else {
      o += static_cast<char>(c);
    }
  }
  return o + "\"";
}

std::string JsonShape(const std::vector<int32_t>& shape) {
  std::string o = "[";
  for (size_t i = 0; i < shape.size(); ++i) o += (i ? ", " : "") + std::to_string(shape[i]);
  return o + "]";
}

}  // namespace lithe::cli

namespace {
const char kUsage[] =
    "usage: lithe <command> [args]\n"
    "commands:\n"
    "  inspect MODEL [--json]          inputs, outputs, ops, weights by dtype, memory plan\n"
    "  run MODEL -o DIR [-i INDEX_OR_NAME=FILE.npy]... [--random-seed N] [--threads N]\n"
    "                                  run once; writes DIR/output_<k>.npy and DIR/outputs.json\n"
    "  convert MODEL.onnx -o OUT.tflite [--nhwc] | --list-ops\n"
    "                                  ONNX -> TensorFlow Lite (float32)\n"
    "  eval MODEL... --dataset fashion-mnist|mnist|idx:IMAGES,LABELS|npy:X.npy,Y.npy\n"
    "       [--scale S --offset O] [--limit N] [--json] [--threads N] [--batch N]\n"
    "                                  top-1/top-5 accuracy, per class, confusion matrix\n"
    "  quantize MODEL.tflite -o OUT.tflite --mode fp16|dynamic|int8|int16x8\n"
    "       [--calibration X.npy | --calibration-idx IMAGES [--scale S --offset O]] [--samples N]\n"
    "       [--method minmax|percentile|mse|kl] [--io float|int8|uint8] [--per-tensor]\n"
    "       [--keep-float-op TYPE]... [--keep-float-node NAME]...\n"
    "                                  post-training quantization to a standard .tflite file\n"
    "  bench MODEL... [--warmup N] [--runs N] [--json] [--profile] [--threads N]\n"
    "       [--backend auto|ref|cpu] [--allow-precision-loss]\n"
    "                                  init, first-inference and steady-state latency, memory;\n"
    "                                  --profile: time and GFLOP/s per node and per op type\n";
}

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help") {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string cmd = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "inspect") return lithe::cli::Inspect(args);
  if (cmd == "run") return lithe::cli::Run(args);
  if (cmd == "convert") return lithe::cli::Convert(args);
  if (cmd == "eval") return lithe::cli::Eval(args);
  if (cmd == "quantize") return lithe::cli::Quantize(args);
  if (cmd == "bench") return lithe::cli::Bench(args);
  return lithe::cli::Fail("unknown command '" + cmd + "' (try lithe --help)");
}
