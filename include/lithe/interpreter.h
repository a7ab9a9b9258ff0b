// Runs a Model, in the manner of tf.lite.Interpreter.
//
//   auto model = lithe::Model::FromFile("hand_landmark_lite.tflite");
//   auto interp = lithe::Interpreter::Create(*model);          // checks model.ok() first
//   (*interp)->AllocateTensors();                                // plan memory, prepare ops
//   (*interp)->SetInput(0, pixels.data(), pixels.size() * sizeof(float));
//   (*interp)->Invoke();
//   std::span<const float> landmarks = (*interp)->OutputView<float>(0).value();
//
// One Model can be shared by several Interpreters running in parallel threads; one Interpreter
// must be used by one thread at a time. Invoke allocates nothing: all memory (one arena planned
// from tensor lifetimes, plus weights decoded once, e.g. float16 -> float32) is set up by
// AllocateTensors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lithe/model.h"
#include "lithe/op.h"
#include "lithe/status.h"
#include "lithe/tensor.h"

namespace lithe {

// Which kernels run the nodes (see backends/backend.h).
enum class BackendChoice {
  kAuto,       // the optimized CPU backend where it has a kernel, reference kernels elsewhere
  kReference,  // reference kernels only (the spec)
  kCpu,        // as kAuto, but an error at Create when lithe was built without the CPU backend
};
// "auto", "ref", "cpu".
const char* BackendChoiceName(BackendChoice b);
Result<BackendChoice> ParseBackendChoice(const std::string& name);

// True when this build has the optimized CPU backend (oneDNN); its version and the CPU's
// reduced-precision support in words.
bool CpuBackendAvailable();
std::string CpuBackendDescription();
// The number of threads Interpreter uses by default: one per core.
int DefaultNumThreads();

struct InterpreterOptions {
  const OpResolver* resolver = nullptr;  // null: OpResolver::Default()
  int num_threads = 0;                   // 0: DefaultNumThreads()
  BackendChoice backend = BackendChoice::kAuto;
  // Float32 convolutions and matrix products may run in bfloat16 where the CPU has native
  // bfloat16 arithmetic (AVX512_BF16); never emulated. node_details() says which did.
  bool allow_precision_loss = false;
  // Refuse plans whose arena would exceed this (protects against hostile shapes).
  size_t max_arena_bytes = size_t{8} << 30;
};

// What get_input_details() / get_output_details() report for one input or output.
struct TensorDetails {
  std::string name;
  int index = -1;                  // tensor index in the subgraph
  DType type = DType::kFloat32;
  std::vector<int32_t> shape;      // current shape
  std::vector<int32_t> shape_signature;  // -1 for dynamic dims
  Quantization quant;
};

// Memory of one plan. lower_bound is the largest sum of tensors alive at the same time: no plan
// can use less.
struct ArenaStats {
  size_t arena_bytes = 0;
  size_t lower_bound_bytes = 0;
  size_t persistent_bytes = 0;  // weights decoded at AllocateTensors (float16, sparse, ...)
  int num_tensors = 0;          // tensors placed in the arena (activations and scratch)
};

// One node as planned: which op, and whether it runs per Invoke or was folded at allocation.
struct NodeDetails {
  int index = -1;
  std::string op_name;
  int version = 1;
  // "cpu" (optimized backend), "ref" (reference kernel), or "const" for nodes computed once at
  // AllocateTensors.
  std::string backend;
  // Why the optimized backend declined the node, when it was asked; what it runs in ("bf16")
  // when it took it with reduced precision.
  std::string note;
};

// Time spent in one node over the Invokes since profiling was turned on.
struct NodeProfile {
  int index = -1;
  std::string op_name;
  std::string backend;
  int64_t runs = 0;
  double total_seconds = 0;
};

class Interpreter {
 public:
  static Result<std::unique_ptr<Interpreter>> Create(std::shared_ptr<const Model> model,
                                                     const InterpreterOptions& options = {});
  ~Interpreter();

  // Prepares every op (validation, shape inference, precomputation), computes constant-only
  // subgraphs once (e.g. DEQUANTIZE of float16 weights, DENSIFY), and plans the arena.
  // An unsupported op, version, dtype or option is reported here with the op's index.
  Status AllocateTensors();
  // Changes an input's shape (e.g. a dynamic batch dim); call AllocateTensors afterwards.
  Status ResizeInput(int input, const std::vector<int32_t>& shape);
  // Takes effect for lithe's own loops at once; the CPU backend's primitives keep the count of
  // the last AllocateTensors until the next one.
  Status SetNumThreads(int num_threads);
  int num_threads() const;
  Status Invoke();

  int num_inputs() const;
  int num_outputs() const;
  TensorDetails input_details(int i) const;
  TensorDetails output_details(int i) const;
  // Index of the input/output with this name, or -1.
  int FindInput(const std::string& name) const;
  int FindOutput(const std::string& name) const;

  // Copies `bytes` into input i; the size must match the input's current shape and dtype.
  Status SetInput(int i, const void* data, size_t bytes);
  // Copies output i out; `bytes` must equal the output's size.
  Status GetOutput(int i, void* data, size_t bytes) const;
  // Zero-copy views of the arena (valid until the next AllocateTensors).
  template <class T>
  Result<std::span<T>> InputView(int i);
  template <class T>
  Result<std::span<const T>> OutputView(int i) const;

  // The kernel-level view of a tensor of the main subgraph (after AllocateTensors).
  const Tensor* tensor(int index) const;
  const ArenaStats& arena_stats() const;
  std::vector<NodeDetails> node_details() const;
  const Model& model() const;

  // Per-node timing of Invoke (a clock read per node while on). Turning it on clears it.
  void SetProfiling(bool on);
  std::vector<NodeProfile> profile() const;

 private:
  struct Impl;
  explicit Interpreter(std::unique_ptr<Impl> impl);
  Result<Tensor*> CheckedInput(int i, DType type);
  Result<const Tensor*> CheckedOutput(int i, DType type) const;
  std::unique_ptr<Impl> impl_;
};

template <class T>
constexpr DType DTypeOf();
template <> constexpr DType DTypeOf<float>() { return DType::kFloat32; }
template <> constexpr DType DTypeOf<int32_t>() { return DType::kInt32; }
template <> constexpr DType DTypeOf<uint8_t>() { return DType::kUInt8; }
template <> constexpr DType DTypeOf<int8_t>() { return DType::kInt8; }
template <> constexpr DType DTypeOf<int16_t>() { return DType::kInt16; }
template <> constexpr DType DTypeOf<int64_t>() { return DType::kInt64; }
template <> constexpr DType DTypeOf<bool>() { return DType::kBool; }

template <class T>
Result<std::span<T>> Interpreter::InputView(int i) {
  auto t = CheckedInput(i, DTypeOf<T>());
  if (!t.ok()) return t.status();
  return std::span<T>((*t)->template data_as<T>(), static_cast<size_t>((*t)->num_elements()));
}
template <class T>
Result<std::span<const T>> Interpreter::OutputView(int i) const {
  auto t = CheckedOutput(i, DTypeOf<T>());
  if (!t.ok()) return t.status();
  return std::span<const T>((*t)->template data_as<T>(), static_cast<size_t>((*t)->num_elements()));
}

}  // namespace lithe
