#include "util/op_model.h"

#include "flatbuffers/flatbuffers.h"

namespace lithe::testing {

OpModel::OpModel(::tflite::BuiltinOperator op, int version) : model_(std::make_unique<::tflite::ModelT>()) {
  model_->version = 3;
  model_->buffers.push_back(std::make_unique<::tflite::BufferT>());  // sentinel
  model_->subgraphs.push_back(std::make_unique<::tflite::SubGraphT>());
  auto code = std::make_unique<::tflite::OperatorCodeT>();
  code->builtin_code = op;
  code->deprecated_builtin_code = static_cast<int8_t>(std::min(static_cast<int>(op), 127));
  code->version = version;
  model_->operator_codes.push_back(std::move(code));
}

OpModel::OpModel(const std::string& custom_name, std::vector<uint8_t> custom_options, int version)
    : OpModel(::tflite::BuiltinOperator::CUSTOM, version) {
  model_->operator_codes[0]->custom_code = custom_name;
  options_.Reset();
  custom_options_storage_ = std::move(custom_options);
}

int OpModel::AddTensor(DType type, std::vector<int32_t> shape, std::vector<float> scale,
                       std::vector<int64_t> zero_point, int axis, std::vector<uint8_t> data) {
  auto& sg = *model_->subgraphs[0];
  auto t = std::make_unique<::tflite::TensorT>();
  t->type = static_cast<::tflite::TensorType>(type);
  t->shape = std::move(shape);
  t->name = "t" + std::to_string(sg.tensors.size());
  if (!scale.empty()) {
    t->quantization = std::make_unique<::tflite::QuantizationParametersT>();
    if (zero_point.empty()) zero_point.assign(scale.size(), 0);
    t->quantization->scale = std::move(scale);
    t->quantization->zero_point = std::move(zero_point);
    t->quantization->quantized_dimension = axis;
  }
  if (!data.empty()) {
    auto b = std::make_unique<::tflite::BufferT>();
    b->data = std::move(data);
    model_->buffers.push_back(std::move(b));
    t->buffer = static_cast<uint32_t>(model_->buffers.size() - 1);
  }
  sg.tensors.push_back(std::move(t));
  return static_cast<int>(sg.tensors.size() - 1);
}

int OpModel::AddInput(DType type, std::vector<int32_t> shape, std::vector<float> scale,
                      std::vector<int64_t> zero_point) {
  const int i = AddTensor(type, std::move(shape), std::move(scale), std::move(zero_point), 0, {});
  model_->subgraphs[0]->inputs.push_back(i);
  op_inputs_.push_back(i);
  return i;
}

int OpModel::AddConstBytes(DType type, std::vector<int32_t> shape, std::vector<uint8_t> bytes,
                           std::vector<float> scale, std::vector<int64_t> zero_point, int axis) {
  const int i = AddTensor(type, std::move(shape), std::move(scale), std::move(zero_point), axis, std::move(bytes));
  op_inputs_.push_back(i);
  return i;
}

void OpModel::AddOmittedInput() { op_inputs_.push_back(-1); }

int OpModel::AddOutput(DType type, std::vector<int32_t> shape, std::vector<float> scale,
                       std::vector<int64_t> zero_point) {
  const int i = AddTensor(type, std::move(shape), std::move(scale), std::move(zero_point), 0, {});
  model_->subgraphs[0]->outputs.push_back(i);
  op_outputs_.push_back(i);
  return i;
}

std::vector<uint8_t> OpModel::Build() const {
  // Copy-free packing: temporarily attach the operator, pack, detach.
  auto& sg = *model_->subgraphs[0];
  auto op = std::make_unique<::tflite::OperatorT>();
  op->opcode_index = 0;
  op->inputs = op_inputs_;
  op->outputs = op_outputs_;
  op->builtin_options = options_;
  op->custom_options = custom_options_storage_;
  sg.operators.push_back(std::move(op));
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(::tflite::Model::Pack(fbb, model_.get()), ::tflite::ModelIdentifier());
  sg.operators.pop_back();
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

Status OpModel::Load() {
  const std::vector<uint8_t> bytes = Build();
  auto m = Model::FromBuffer(bytes.data(), bytes.size());
  if (!m.ok()) return m.status();
  loaded_ = *m;
  auto interp = Interpreter::Create(loaded_, interp_options_);
  if (!interp.ok()) return interp.status();
  interp_ = std::move(interp).value();
  return interp_->AllocateTensors();
}

Status OpModel::Prepare() { return Load(); }

Result<std::vector<std::vector<uint8_t>>> OpModel::Run(const std::vector<std::vector<uint8_t>>& inputs) {
  LITHE_RETURN_IF_ERROR(Load());
  if (static_cast<int>(inputs.size()) != interp_->num_inputs())
    return Status::Error("test passes " + std::to_string(inputs.size()) + " inputs, model has " +
                         std::to_string(interp_->num_inputs()));
  for (size_t i = 0; i < inputs.size(); ++i)
    LITHE_RETURN_IF_ERROR(interp_->SetInput(static_cast<int>(i), inputs[i].data(), inputs[i].size()));
  LITHE_RETURN_IF_ERROR(interp_->Invoke());
  std::vector<std::vector<uint8_t>> outs;
  output_shapes_.clear();
  for (int i = 0; i < interp_->num_outputs(); ++i) {
    const Tensor* t = interp_->tensor(interp_->output_details(i).index);
    const uint8_t* p = static_cast<const uint8_t*>(t->data);
    outs.emplace_back(p, p + t->bytes);
    output_shapes_.push_back(t->shape.ToVector());
  }
  return outs;
}

Result<std::vector<std::vector<float>>> OpModel::RunFloat(const std::vector<std::vector<float>>& inputs) {
  std::vector<std::vector<uint8_t>> in;
  for (const auto& v : inputs) in.push_back(FloatBytes(v));
  auto r = Run(in);
  if (!r.ok()) return r.status();
  std::vector<std::vector<float>> out;
  for (const auto& b : *r) out.push_back(BytesToFloats(b));
  return out;
}

std::vector<uint8_t> FloatBytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(float));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

std::vector<float> BytesToFloats(const std::vector<uint8_t>& b) {
  std::vector<float> v(b.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(float));
  return v;
}

}  // namespace lithe::testing
