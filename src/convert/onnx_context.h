// The state of one ONNX -> TFLite conversion, shared by the driver (onnx_import.cc) and the op
// converters (onnx_ops.cc).
//
// Layouts. Every ONNX value keeps its ONNX shape; the TFLite tensor that holds it may store the
// dims in another order, recorded as `perm`: TFLite dim i is ONNX dim perm[i]. Convolutions want
// NHWC (perm {0,2,3,1}); element-wise ops keep whatever layout their input has; an ONNX Transpose
// only changes `perm` (no op is emitted); ops that need ONNX's order ask for the identity layout
// and get a TRANSPOSE only then (or a RESHAPE when the permutation moves only size-1 dims). Each
// value is converted to a given layout at most once.
//
// Constants stay as data (ConstData) until an op needs them, and are then written in the layout
// and form the op wants (conv weights in OHWI, batch norm folded into the conv before that).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <onnx/onnx_pb.h>

#include "convert/onnx_import.h"
#include "lithe/status.h"
#include "lithe/tensor.h"
#include "tflite_generated.h"

namespace lithe::convert {

using Dims = std::vector<int64_t>;
using Perm = std::vector<int>;

// Constant data known at conversion time. Floating types are held as float, integer and bool
// types as int64.
struct ConstData {
  bool is_float = true;
  Dims shape;
  std::vector<float> f;
  std::vector<int64_t> i;
  int64_t numel() const;
  double at(int64_t k) const { return is_float ? f[k] : static_cast<double>(i[k]); }
};

struct Value {
  std::string name;
  Dims shape;  // ONNX shape
  std::shared_ptr<const ConstData> constant;  // set for constants (no tensor until needed)
  int tensor = -1;    // TFLite tensor index for activations
  Perm perm;          // layout of `tensor` (see above)
  int producer = -1;  // TFLite operator index that writes `tensor`, -1 for a graph input
  std::map<Perm, int> layouts;  // the same value already converted to other layouts
};

struct OnnxNode {
  int index = 0;
  const onnx::NodeProto* proto = nullptr;
  const std::string& op() const { return proto->op_type(); }
  const std::string& name() const { return proto->name(); }
  int num_inputs() const { return proto->input_size(); }
  int num_outputs() const { return proto->output_size(); }
  // An optional input may be absent or given as "".
  bool has_input(int i) const { return i < proto->input_size() && !proto->input(i).empty(); }
};

Perm IdentityPerm(size_t rank);
Perm InversePerm(const Perm& p);
const Perm& NhwcPerm();  // {0, 2, 3, 1}
// dims in the order of `perm`: out[i] = dims[perm[i]].
Dims Permuted(const Dims& dims, const Perm& perm);
int64_t Numel(const Dims& dims);
std::string DimsString(const Dims& dims);

class Converter {
 public:
  Converter(const onnx::ModelProto& model, int opset, const OnnxConvertOptions& options);
  Result<std::vector<uint8_t>> Run();

  int opset() const { return opset_; }
  const OnnxConvertOptions& options() const { return options_; }

  // --- ONNX side -------------------------------------------------------------------------
  Result<Value*> Input(const OnnxNode& n, int i);
  // The input's constant data; an error naming the input when it is not a constant.
  Result<std::shared_ptr<const ConstData>> ConstInput(const OnnxNode& n, int i);
  // Defines output `i` of `n` (nothing when the node leaves that output unnamed).
  Status SetOutput(const OnnxNode& n, int i, Value v);
  // Defines the value `name` (a node's output, or an intermediate a converter names itself).
  Status Define(const std::string& name, Value v);
  // Defines `name` as the activation `tensor` (written by the last operator) in layout `perm`.
  Status DefineTensor(const std::string& name, const Dims& shape, int tensor, const Perm& perm);
  Value* FindValue(const std::string& name);
  Status SetOutputConst(const OnnxNode& n, int i, ConstData c);
  // Defines output i as the activation `tensor` (already added) in layout `perm`.
  Status SetOutputTensor(const OnnxNode& n, int i, const Dims& shape, int tensor, const Perm& perm);

  const onnx::AttributeProto* Attr(const OnnxNode& n, const std::string& name) const;
  Result<int64_t> AttrInt(const OnnxNode& n, const std::string& name, int64_t def) const;
  Result<float> AttrFloat(const OnnxNode& n, const std::string& name, float def) const;
  Result<std::string> AttrString(const OnnxNode& n, const std::string& name,
                                 const std::string& def) const;
  Result<Dims> AttrInts(const OnnxNode& n, const std::string& name, const Dims& def) const;

  // The single node that reads `value_name` (once), when the value is not a graph output;
  // null otherwise. Used to fuse what follows an op into it.
  const OnnxNode* SoleConsumer(const std::string& value_name) const;
  // Marks a node as already converted by fusion into an earlier one.
  void MarkFused(const OnnxNode& n, const std::string& into) { fused_[n.index] = into; }

  // --- TFLite side ------------------------------------------------------------------------
  // A new activation tensor with TFLite dims `dims`.
  Result<int> AddTensor(const std::string& name, const Dims& dims,
                        ::tflite::TensorType type = ::tflite::TensorType::FLOAT32);
  int AddConstFloat(const std::string& name, const Dims& dims, std::vector<float> data);
  int AddConstInt32(const std::string& name, const Dims& dims, const std::vector<int64_t>& data);
  // Appends an operator; returns its index.
  int AddOp(::tflite::BuiltinOperator code, std::vector<int32_t> inputs,
            std::vector<int32_t> outputs, ::tflite::BuiltinOptionsUnion options = {},
            int version = 1);
  ::tflite::OperatorT& op(int index) { return *subgraph_->operators[index]; }
  ::tflite::TensorT& tensor(int index) { return *subgraph_->tensors[index]; }

  // The tensor holding `v` in layout `perm` (converting once, or writing a constant).
  Result<int> TensorIn(Value& v, const Perm& perm);
  // A tensor whose bytes are `v` in ONNX's own order (its TFLite shape may differ): for ops
  // such as RESHAPE that only look at the bytes.
  Result<int> TensorInOnnxOrder(Value& v);
  // A layout all of `values` can take without converting activations: the layout shared by the
  // non-constant ones of full rank, else the identity. Constants are written to match.
  Perm CommonLayout(const std::vector<Value*>& values, size_t rank) const;

 private:
  Status LoadInitializers();
  Status DefineGraphInputs();
  Status ConvertNode(const OnnxNode& n);
  Status DefineGraphOutputs();
  Result<int> MaterializeConst(Value& v, const Perm& perm);

  const onnx::ModelProto& model_;
  const onnx::GraphProto& graph_;
  int opset_;
  OnnxConvertOptions options_;
  std::vector<OnnxNode> nodes_;
  std::unordered_map<std::string, Value> values_;
  std::unordered_map<std::string, std::vector<int>> consumers_;  // value -> node indices
  std::unordered_map<int, std::string> fused_;
  std::unordered_map<std::string, bool> graph_outputs_;
  std::unique_ptr<::tflite::ModelT> tfl_;
  ::tflite::SubGraphT* subgraph_ = nullptr;
  std::map<std::pair<int, int>, int> opcode_index_;  // (code, version) -> operator_codes index
};

// Reads an ONNX TensorProto (initializer or Constant attribute) with size checks.
Result<ConstData> ReadTensorProto(const onnx::TensorProto& t);

// Op converters, in onnx_ops.cc.
using OpConverter = Status (*)(Converter&, const OnnxNode&);
struct OpConverterEntry {
  const char* op_type;
  OpConverter convert;
};
const std::vector<OpConverterEntry>& OpConverters();

}  // namespace lithe::convert
