// Builds a one-op .tflite model in memory and runs it through lithe, for op unit tests.
//
//   lithe::testing::OpModel m(tflite::BuiltinOperator::ADD);
//   m.AddInput(lithe::DType::kFloat32, {1, 2});
//   m.AddConst<float>(lithe::DType::kFloat32, {2}, {10, 20});
//   m.AddOutput(lithe::DType::kFloat32);
//   tflite::AddOptionsT opts;
//   opts.fused_activation_function = tflite::ActivationFunctionType::RELU;
//   m.SetOptions(opts);
//   auto out = m.RunFloat({{1, -30}});  // Result<std::vector<std::vector<float>>>
//   // out.value()[0] == {11, 0}; m.output_shape(0) == {1, 2}
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "lithe/interpreter.h"
#include "lithe/model.h"
#include "tflite_generated.h"

namespace lithe::testing {

class OpModel {
 public:
  explicit OpModel(::tflite::BuiltinOperator op, int version = 1);
  // A custom op with its flexbuffer options.
  OpModel(const std::string& custom_name, std::vector<uint8_t> custom_options, int version = 1);

  // Graph input; returns its tensor index. `quant` optional (scale, zero point per entry).
  int AddInput(DType type, std::vector<int32_t> shape, std::vector<float> scale = {},
               std::vector<int64_t> zero_point = {});
  // Constant input holding `values` (stored as raw bytes of T).
  template <class T>
  int AddConst(DType type, std::vector<int32_t> shape, const std::vector<T>& values,
               std::vector<float> scale = {}, std::vector<int64_t> zero_point = {}, int axis = 0) {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return AddConstBytes(type, std::move(shape), std::move(bytes), std::move(scale),
                         std::move(zero_point), axis);
  }
  int AddConstBytes(DType type, std::vector<int32_t> shape, std::vector<uint8_t> bytes,
                    std::vector<float> scale = {}, std::vector<int64_t> zero_point = {}, int axis = 0);
  // An omitted optional input (-1 in the op's input list).
  void AddOmittedInput();
  // Graph output; the shape stored in the file (lithe infers its own).
  int AddOutput(DType type, std::vector<int32_t> shape = {}, std::vector<float> scale = {},
                std::vector<int64_t> zero_point = {});
  template <class OptionsT>
  void SetOptions(OptionsT options) {
    options_.Set(std::move(options));
  }
  // Access to the whole model before Build() for unusual cases (sparsity, signatures...).
  ::tflite::ModelT& model() { return *model_; }
  ::tflite::TensorT& tensor(int index) { return *model_->subgraphs[0]->tensors[index]; }

  std::vector<uint8_t> Build() const;

  // Loads, allocates and runs with the given inputs (raw bytes per graph input, in order).
  // Returns each output's bytes; shapes via output_shape().
  Result<std::vector<std::vector<uint8_t>>> Run(const std::vector<std::vector<uint8_t>>& inputs);
  // Float convenience: inputs and outputs as float vectors (all must be float32).
  Result<std::vector<std::vector<float>>> RunFloat(const std::vector<std::vector<float>>& inputs);
  // AllocateTensors only (for tests of Prepare errors).
  Status Prepare();

  const std::vector<int32_t>& output_shape(int i) const { return output_shapes_.at(i); }
  Interpreter* interpreter() { return interp_.get(); }
  // Options for the interpreters Run/Prepare create (backend, threads, precision).
  void set_interpreter_options(const InterpreterOptions& o) { interp_options_ = o; }

 private:
  int AddTensor(DType type, std::vector<int32_t> shape, std::vector<float> scale,
                std::vector<int64_t> zero_point, int axis, std::vector<uint8_t> data);
  Status Load();

  mutable std::unique_ptr<::tflite::ModelT> model_;
  std::vector<int32_t> op_inputs_, op_outputs_;
  ::tflite::BuiltinOptionsUnion options_;
  std::shared_ptr<const Model> loaded_;
  std::unique_ptr<Interpreter> interp_;
  InterpreterOptions interp_options_;
  std::vector<std::vector<int32_t>> output_shapes_;
  std::vector<uint8_t> custom_options_storage_;
};

std::vector<uint8_t> FloatBytes(const std::vector<float>& v);
std::vector<float> BytesToFloats(const std::vector<uint8_t>& b);

}  // namespace lithe::testing
