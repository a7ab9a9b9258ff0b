// The interface between the interpreter and an op's kernel; also how custom ops are written.
//
//   class TimesTwo final : public lithe::OpKernel {
//    public:
//     lithe::Status Prepare(lithe::PrepareContext& ctx) override {
//       const lithe::Tensor* x = ctx.input(0);
//       if (x == nullptr || x->type != lithe::DType::kFloat32) return ctx.Error("needs float32");
//       ctx.output(0)->shape = x->shape;  // outputs' shapes are inferred here
//       return lithe::Status::Ok();
//     }
//     void Invoke(lithe::InvokeContext& ctx) override {
//       const float* x = ctx.input(0)->data_as<float>();
//       float* y = ctx.output(0)->data_as<float>();
//       for (int64_t i = 0; i < ctx.output(0)->num_elements(); ++i) y[i] = 2 * x[i];
//     }
//   };
//
// Prepare runs at AllocateTensors: it validates inputs (count, dtypes, shapes, constant
// operands), infers output shapes, requests scratch memory and precomputes whatever it can.
// Invoke only computes; it must not allocate and has no error path for things Prepare checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "lithe/status.h"
#include "lithe/tensor.h"

namespace lithe {

class ThreadPool;

// A non-owning reference to a callable (no allocation, unlike std::function).
template <class Sig>
class FunctionRef;
template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F&& f)  // NOLINT: implicit by design
      : obj_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* o, Args... a) -> R { return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<Args>(a)...); }) {}
  R operator()(Args... a) const { return call_(obj_, std::forward<Args>(a)...); }

 private:
  void* obj_;
  R (*call_)(void*, Args...);
};

// Where a node sits, for error messages: "CONV_2D (op 12)".
struct NodeRef {
  std::string op_name;
  int index = -1;
  std::string Describe() const;
};

class PrepareContext {
 public:
  PrepareContext(NodeRef node, std::vector<Tensor*> inputs, std::vector<Tensor*> outputs,
                 int num_threads)
      : node_(std::move(node)), inputs_(std::move(inputs)), outputs_(std::move(outputs)),
        num_threads_(num_threads) {}

  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  int num_outputs() const { return static_cast<int>(outputs_.size()); }
  // Null when the input is omitted (-1 in the file) or i is out of range. Data is available
  // here only for constant inputs (is_constant).
  const Tensor* input(int i) const { return i >= 0 && i < num_inputs() ? inputs_[i] : nullptr; }
  // The output's dtype comes from the model; Prepare sets its shape.
  Tensor* output(int i) const { return i >= 0 && i < num_outputs() ? outputs_[i] : nullptr; }
  int num_threads() const { return num_threads_; }

  // Reserves `bytes` of scratch memory valid during this node's Invoke; returns its handle.
  int RequestScratch(size_t bytes) {
    scratch_.push_back(bytes);
    return static_cast<int>(scratch_.size()) - 1;
  }
  const std::vector<size_t>& scratch_requests() const { return scratch_; }

  // An error that names this node: "CONV_2D (op 12): <what>".
  Status Error(const std::string& what) const;
  // Checks the input/output counts ([min, max] inputs present in the file, exact outputs).
  Status ExpectCounts(int min_inputs, int max_inputs, int outputs) const;
  // Checks that input i exists and has type `type`.
  Status ExpectInputType(int i, DType type) const;
  const NodeRef& node() const { return node_; }
  // What a backend's kernel says of how it runs the node ("bf16"), shown by `lithe inspect`.
  void SetNote(std::string note) { note_ = std::move(note); }
  const std::string& note() const { return note_; }

  // True when an optimized kernel will be offered the node after this (reference) Prepare:
  // Prepare must still validate and set the output shapes, but may skip what only its own
  // Invoke needs, such as repacking weights. If the optimized kernel declines, the interpreter
  // runs Prepare again with this false before any Invoke.
  bool validate_only() const { return validate_only_; }
  void set_validate_only(bool v) { validate_only_ = v; }

 private:
  NodeRef node_;
  std::string note_;
  bool validate_only_ = false;
  std::vector<Tensor*> inputs_;
  std::vector<Tensor*> outputs_;
  int num_threads_ = 1;
  std::vector<size_t> scratch_;
};

class InvokeContext {
 public:
  InvokeContext(const Tensor* const* inputs, int num_inputs, Tensor* const* outputs,
                int num_outputs, void* const* scratch, ThreadPool* pool)
      : inputs_(inputs), num_inputs_(num_inputs), outputs_(outputs), num_outputs_(num_outputs),
        scratch_(scratch), pool_(pool) {}

  const Tensor* input(int i) const { return i < num_inputs_ ? inputs_[i] : nullptr; }
  Tensor* output(int i) const { return outputs_[i]; }
  void* scratch(int handle) const { return scratch_[handle]; }
  // Runs fn(begin, end) over [0, n) split into chunks across the interpreter's threads.
  // `work_per_item`, when known, is about how many element operations (multiply-adds,
  // comparisons, loads) one item costs: loops whose total is below kMinParallelWork run on the
  // calling thread, where waking the other threads would cost more than it saves.
  void ParallelFor(int64_t n, FunctionRef<void(int64_t, int64_t)> fn, int64_t work_per_item = -1) const;
  static constexpr int64_t kMinParallelWork = 16384;

 private:
  const Tensor* const* inputs_;
  int num_inputs_;
  Tensor* const* outputs_;
  int num_outputs_;
  void* const* scratch_;
  ThreadPool* pool_;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual Status Prepare(PrepareContext& ctx) = 0;
  virtual void Invoke(InvokeContext& ctx) = 0;
};

// A custom op: created once per node and interpreter from the node's custom options bytes.
struct CustomOp {
  std::string name;
  int max_version = 1;
  std::function<Result<std::unique_ptr<OpKernel>>(const uint8_t* options, size_t size)> create;
};

// Which ops an interpreter may use: all of lithe's builtins plus registered custom ops.
class OpResolver {
 public:
  // lithe's builtins plus the custom ops lithe ships (MediaPipe's Convolution2DTransposeBias).
  static const OpResolver& Default();
  OpResolver() = default;
  // A resolver with lithe's builtins and no custom ops.
  static OpResolver BuiltinsOnly() { return OpResolver(); }

  // Registers (or replaces) a custom op by name.
  void AddCustom(CustomOp op);
  const CustomOp* FindCustom(const std::string& name) const;
  std::vector<std::string> custom_names() const;

 private:
  std::vector<CustomOp> custom_;
};

}  // namespace lithe
