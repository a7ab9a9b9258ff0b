// The conversion driver: reads the ONNX model, walks its nodes in order and writes the TFLite
// model. Op-specific work is in onnx_ops.cc.
#include "convert/onnx_import.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "convert/onnx_context.h"
#include "flatbuffers/flatbuffers.h"
#include "kernels/ref/fp16.h"

namespace lithe::convert {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 31;
constexpr int kMaxRank = 8;

std::string ValueDesc(const std::string& name) { return "'" + name + "'"; }

const char* OnnxTypeNameOrNull(int t) {
  switch (t) {
    case onnx::TensorProto::FLOAT: return "FLOAT";
    case onnx::TensorProto::UINT8: return "UINT8";
    case onnx::TensorProto::INT8: return "INT8";
    case onnx::TensorProto::UINT16: return "UINT16";
    case onnx::TensorProto::INT16: return "INT16";
    case onnx::TensorProto::INT32: return "INT32";
    case onnx::TensorProto::INT64: return "INT64";
    case onnx::TensorProto::STRING: return "STRING";
    case onnx::TensorProto::BOOL: return "BOOL";
    case onnx::TensorProto::FLOAT16: return "FLOAT16";
    case onnx::TensorProto::DOUBLE: return "DOUBLE";
    case onnx::TensorProto::UINT32: return "UINT32";
    case onnx::TensorProto::UINT64: return "UINT64";
    case onnx::TensorProto::BFLOAT16: return "BFLOAT16";
    default: return nullptr;
  }
}

std::string OnnxTypeName(int t) {
  const char* n = OnnxTypeNameOrNull(t);
  return n ? n : "type " + std::to_string(t) + " (unknown)";
}

Status CheckDims(const Dims& dims, const std::string& what) {
  if (dims.size() > kMaxRank)
    return Status::Error(what + " has rank " + std::to_string(dims.size()) + " (at most " +
                         std::to_string(kMaxRank) + " supported)");
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) return Status::Error(what + " has a negative dim " + DimsString(dims));
    if (d > 0 && n > kMaxElements / d)
      return Status::Error(what + " has too many elements " + DimsString(dims));
    n *= d;
  }
  return Status::Ok();
}

template <class T>
void ReadLittleEndian(const std::string& raw, size_t k, T* out) {
  std::memcpy(out, raw.data() + k * sizeof(T), sizeof(T));
}

}  // namespace

// --- small helpers -----------------------------------------------------------------------

Perm IdentityPerm(size_t rank) {
  Perm p(rank);
  for (size_t i = 0; i < rank; ++i) p[i] = static_cast<int>(i);
  return p;
}

Perm InversePerm(const Perm& p) {
  Perm inv(p.size());
  for (size_t i = 0; i < p.size(); ++i) inv[p[i]] = static_cast<int>(i);
  return inv;
}

const Perm& NhwcPerm() {
  static const Perm p = {0, 2, 3, 1};
  return p;
}

Dims Permuted(const Dims& dims, const Perm& perm) {
  Dims out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = dims[perm[i]];
  return out;
}

int64_t Numel(const Dims& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::string DimsString(const Dims& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

int64_t ConstData::numel() const { return Numel(shape); }

Result<ConstData> ReadTensorProto(const onnx::TensorProto& t) {
  const std::string what = "tensor '" + t.name() + "'";
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return Status::Error(what + " keeps its data in an external file (not supported)");
  ConstData c;
  c.shape.assign(t.dims().begin(), t.dims().end());
  LITHE_RETURN_IF_ERROR(CheckDims(c.shape, what));
  const int64_t n = Numel(c.shape);
  const int type = t.data_type();
  const std::string& raw = t.raw_data();
  const bool has_raw = t.has_raw_data();
  if (has_raw && (t.float_data_size() || t.int32_data_size() || t.int64_data_size() ||
                  t.double_data_size() || t.uint64_data_size()))
    return Status::Error(what + " has both raw_data and typed data");
  auto check_count = [&](int64_t got, const char* field) -> Status {
    if (got != n)
      return Status::Error(what + " of shape " + DimsString(c.shape) + " has " +
                           std::to_string(got) + " values in " + field + ", expected " +
                           std::to_string(n));
    return Status::Ok();
  };
  auto raw_count = [&](size_t elem) -> Status {
    if (raw.size() != static_cast<size_t>(n) * elem)
      return Status::Error(what + " of shape " + DimsString(c.shape) + " and type " +
                           OnnxTypeName(type) + " has " + std::to_string(raw.size()) +
                           " bytes of raw_data, expected " + std::to_string(n * elem));
    return Status::Ok();
  };
  switch (type) {
    case onnx::TensorProto::FLOAT:
      c.is_float = true;
      c.f.resize(n);
      if (has_raw) {
        LITHE_RETURN_IF_ERROR(raw_count(4));
        if (n) std::memcpy(c.f.data(), raw.data(), n * 4);
      } else {
        LITHE_RETURN_IF_ERROR(check_count(t.float_data_size(), "float_data"));
        std::copy(t.float_data().begin(), t.float_data().end(), c.f.begin());
      }
      return c;
    case onnx::TensorProto::DOUBLE:
      c.is_float = true;
      c.f.resize(n);
      if (has_raw) {
        LITHE_RETURN_IF_ERROR(raw_count(8));
        for (int64_t k = 0; k < n; ++k) {
          double d;
          ReadLittleEndian(raw, k, &d);
          c.f[k] = static_cast<float>(d);
        }
      } else {
        LITHE_RETURN_IF_ERROR(check_count(t.double_data_size(), "double_data"));
        for (int64_t k = 0; k < n; ++k) c.f[k] = static_cast<float>(t.double_data(k));
      }
      return c;
    case onnx::TensorProto::FLOAT16:
      c.is_float = true;
      c.f.resize(n);
      if (has_raw) {
        LITHE_RETURN_IF_ERROR(raw_count(2));
        for (int64_t k = 0; k < n; ++k) {
          uint16_t h;
          ReadLittleEndian(raw, k, &h);
          c.f[k] = lithe::HalfToFloat(h);
        }
      } else {
        LITHE_RETURN_IF_ERROR(check_count(t.int32_data_size(), "int32_data"));
        for (int64_t k = 0; k < n; ++k)
          c.f[k] = lithe::HalfToFloat(static_cast<uint16_t>(t.int32_data(k)));
      }
      return c;
    case onnx::TensorProto::INT64:
      c.is_float = false;
      c.i.resize(n);
      if (has_raw) {
        LITHE_RETURN_IF_ERROR(raw_count(8));
        if (n) std::memcpy(c.i.data(), raw.data(), n * 8);
      } else {
        LITHE_RETURN_IF_ERROR(check_count(t.int64_data_size(), "int64_data"));
        std::copy(t.int64_data().begin(), t.int64_data().end(), c.i.begin());
      }
      return c;
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL: {
      c.is_float = false;
      c.i.resize(n);
      const size_t elem = (type == onnx::TensorProto::INT32)                                  ? 4
                          : (type == onnx::TensorProto::INT16 || type == onnx::TensorProto::UINT16) ? 2
                                                                                                   : 1;
      if (has_raw) {
        LITHE_RETURN_IF_ERROR(raw_count(elem));
        for (int64_t k = 0; k < n; ++k) {
          const uint8_t* p = reinterpret_cast<const uint8_t*>(raw.data()) + k * elem;
          switch (type) {
            case onnx::TensorProto::INT32: { int32_t v; std::memcpy(&v, p, 4); c.i[k] = v; break; }
            case onnx::TensorProto::INT16: { int16_t v; std::memcpy(&v, p, 2); c.i[k] = v; break; }
            case onnx::TensorProto::UINT16: { uint16_t v; std::memcpy(&v, p, 2); c.i[k] = v; break; }
            case onnx::TensorProto::INT8: c.i[k] = static_cast<int8_t>(*p); break;
            default: c.i[k] = *p; break;
          }
        }
      } else {
        LITHE_RETURN_IF_ERROR(check_count(t.int32_data_size(), "int32_data"));
        for (int64_t k = 0; k < n; ++k) c.i[k] = t.int32_data(k);
      }
      return c;
    }
    default:
      return Status::Error(what + " has unsupported dtype " + OnnxTypeName(type));
  }
}

// --- Converter ---------------------------------------------------------------------------

Converter::Converter(const onnx::ModelProto& model, int opset, const OnnxConvertOptions& options)
    : model_(model), graph_(model.graph()), opset_(opset), options_(options) {}

const onnx::AttributeProto* Converter::Attr(const OnnxNode& n, const std::string& name) const {
  for (const auto& a : n.proto->attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

Result<int64_t> Converter::AttrInt(const OnnxNode& n, const std::string& name, int64_t def) const {
  const onnx::AttributeProto* a = Attr(n, name);
  if (!a) return def;
  if (a->type() != onnx::AttributeProto::INT)
    return Status::Error("attribute '" + name + "' is not an int");
  return a->i();
}

Result<float> Converter::AttrFloat(const OnnxNode& n, const std::string& name, float def) const {
  const onnx::AttributeProto* a = Attr(n, name);
  if (!a) return def;
  if (a->type() != onnx::AttributeProto::FLOAT)
    return Status::Error("attribute '" + name + "' is not a float");
  return a->f();
}

Result<std::string> Converter::AttrString(const OnnxNode& n, const std::string& name,
                                          const std::string& def) const {
  const onnx::AttributeProto* a = Attr(n, name);
  if (!a) return def;
  if (a->type() != onnx::AttributeProto::STRING)
    return Status::Error("attribute '" + name + "' is not a string");
  return a->s();
}

Result<Dims> Converter::AttrInts(const OnnxNode& n, const std::string& name,
                                 const Dims& def) const {
  const onnx::AttributeProto* a = Attr(n, name);
  if (!a) return def;
  if (a->type() != onnx::AttributeProto::INTS)
    return Status::Error("attribute '" + name + "' is not a list of ints");
  if (a->ints_size() > 64) return Status::Error("attribute '" + name + "' is too long");
  return Dims(a->ints().begin(), a->ints().end());
}

Result<Value*> Converter::Input(const OnnxNode& n, int i) {
  if (!n.has_input(i))
    return Status::Error("input " + std::to_string(i) + " is missing");
  auto it = values_.find(n.proto->input(i));
  if (it == values_.end())
    return Status::Error("input " + ValueDesc(n.proto->input(i)) +
                         " is not a graph input, an initializer or the output of an earlier node");
  return &it->second;
}

Result<std::shared_ptr<const ConstData>> Converter::ConstInput(const OnnxNode& n, int i) {
  LITHE_ASSIGN_OR_RETURN(Value * v, Input(n, i));
  if (!v->constant)
    return Status::Error("input " + ValueDesc(v->name) +
                         " must be a constant (an initializer or computed from constants)");
  return v->constant;
}

Status Converter::SetOutput(const OnnxNode& n, int i, Value v) {
  if (i >= n.num_outputs() || n.proto->output(i).empty()) return Status::Ok();  // unused
  return Define(n.proto->output(i), std::move(v));
}

Status Converter::Define(const std::string& name, Value v) {
  if (values_.count(name)) return Status::Error("value " + ValueDesc(name) + " is defined twice");
  LITHE_RETURN_IF_ERROR(CheckDims(v.shape, "value " + ValueDesc(name)));
  v.name = name;
  if (v.tensor >= 0 && tensor(v.tensor).name.empty()) tensor(v.tensor).name = name;
  values_.emplace(name, std::move(v));
  return Status::Ok();
}

Value* Converter::FindValue(const std::string& name) {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

Status Converter::SetOutputConst(const OnnxNode& n, int i, ConstData c) {
  Value v;
  v.shape = c.shape;
  v.constant = std::make_shared<const ConstData>(std::move(c));
  return SetOutput(n, i, std::move(v));
}

Status Converter::SetOutputTensor(const OnnxNode& n, int i, const Dims& shape, int t,
                                  const Perm& perm) {
  if (i >= n.num_outputs() || n.proto->output(i).empty()) return Status::Ok();
  return DefineTensor(n.proto->output(i), shape, t, perm);
}

Status Converter::DefineTensor(const std::string& name, const Dims& shape, int t,
                               const Perm& perm) {
  Value v;
  v.shape = shape;
  v.tensor = t;
  v.perm = perm;
  v.producer = static_cast<int>(subgraph_->operators.size()) - 1;
  return Define(name, std::move(v));
}

const OnnxNode* Converter::SoleConsumer(const std::string& value_name) const {
  if (graph_outputs_.count(value_name)) return nullptr;
  auto it = consumers_.find(value_name);
  if (it == consumers_.end() || it->second.size() != 1) return nullptr;
  const OnnxNode& c = nodes_[it->second[0]];
  int uses = 0;
  for (const auto& in : c.proto->input()) uses += (in == value_name);
  return uses == 1 ? &c : nullptr;
}

Result<int> Converter::AddTensor(const std::string& name, const Dims& dims,
                                 ::tflite::TensorType type) {
  LITHE_RETURN_IF_ERROR(CheckDims(dims, "tensor " + ValueDesc(name)));
  auto t = std::make_unique<::tflite::TensorT>();
  t->name = name;
  t->type = type;
  for (int64_t d : dims) t->shape.push_back(static_cast<int32_t>(d));
  subgraph_->tensors.push_back(std::move(t));
  return static_cast<int>(subgraph_->tensors.size()) - 1;
}

int Converter::AddConstFloat(const std::string& name, const Dims& dims, std::vector<float> data) {
  auto b = std::make_unique<::tflite::BufferT>();
  b->data.resize(data.size() * sizeof(float));
  if (!data.empty()) std::memcpy(b->data.data(), data.data(), b->data.size());
  tfl_->buffers.push_back(std::move(b));
  auto t = std::make_unique<::tflite::TensorT>();
  t->name = name;
  t->type = ::tflite::TensorType::FLOAT32;
  for (int64_t d : dims) t->shape.push_back(static_cast<int32_t>(d));
  t->buffer = static_cast<uint32_t>(tfl_->buffers.size() - 1);
  subgraph_->tensors.push_back(std::move(t));
  return static_cast<int>(subgraph_->tensors.size()) - 1;
}

int Converter::AddConstInt32(const std::string& name, const Dims& dims,
                             const std::vector<int64_t>& data) {
  auto b = std::make_unique<::tflite::BufferT>();
  b->data.resize(data.size() * sizeof(int32_t));
  for (size_t k = 0; k < data.size(); ++k) {
    const int32_t v = static_cast<int32_t>(
        std::clamp<int64_t>(data[k], std::numeric_limits<int32_t>::min(),
                            std::numeric_limits<int32_t>::max()));
    std::memcpy(b->data.data() + 4 * k, &v, 4);
  }
  tfl_->buffers.push_back(std::move(b));
  auto t = std::make_unique<::tflite::TensorT>();
  t->name = name;
  t->type = ::tflite::TensorType::INT32;
  for (int64_t d : dims) t->shape.push_back(static_cast<int32_t>(d));
  t->buffer = static_cast<uint32_t>(tfl_->buffers.size() - 1);
  subgraph_->tensors.push_back(std::move(t));
  return static_cast<int>(subgraph_->tensors.size()) - 1;
}

int Converter::AddOp(::tflite::BuiltinOperator code, std::vector<int32_t> inputs,
                     std::vector<int32_t> outputs, ::tflite::BuiltinOptionsUnion options,
                     int version) {
  const auto key = std::make_pair(static_cast<int>(code), version);
  auto it = opcode_index_.find(key);
  if (it == opcode_index_.end()) {
    auto oc = std::make_unique<::tflite::OperatorCodeT>();
    oc->builtin_code = code;
    oc->deprecated_builtin_code = static_cast<int8_t>(std::min(static_cast<int>(code), 127));
    oc->version = version;
    tfl_->operator_codes.push_back(std::move(oc));
    it = opcode_index_.emplace(key, static_cast<int>(tfl_->operator_codes.size()) - 1).first;
  }
  auto op = std::make_unique<::tflite::OperatorT>();
  op->opcode_index = static_cast<uint32_t>(it->second);
  op->inputs = std::move(inputs);
  op->outputs = std::move(outputs);
  op->builtin_options = std::move(options);
  subgraph_->operators.push_back(std::move(op));
  return static_cast<int>(subgraph_->operators.size()) - 1;
}

Result<int> Converter::MaterializeConst(Value& v, const Perm& perm) {
  auto it = v.layouts.find(perm);
  if (it != v.layouts.end()) return it->second;
  const ConstData& c = *v.constant;
  if (perm.size() != c.shape.size())
    return Status::Error("constant " + ValueDesc(v.name) + " has rank " +
                         std::to_string(c.shape.size()) + ", expected " +
                         std::to_string(perm.size()));
  const Dims out_dims = Permuted(c.shape, perm);
  // Strides of the source for each destination dim.
  const size_t r = c.shape.size();
  std::vector<int64_t> src_stride(r, 1);
  for (size_t d = r; d-- > 1;) src_stride[d - 1] = src_stride[d] * c.shape[d];
  const int64_t n = c.numel();
  std::vector<int64_t> order(n);
  std::vector<int64_t> idx(r, 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t src = 0;
    for (size_t d = 0; d < r; ++d) src += idx[d] * src_stride[perm[d]];
    order[k] = src;
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < out_dims[d]) break;
      idx[d] = 0;
    }
  }
  const std::string name = v.name + (perm == IdentityPerm(r) ? "" : "/nhwc");
  int t;
  if (c.is_float) {
    std::vector<float> data(n);
    for (int64_t k = 0; k < n; ++k) data[k] = c.f[order[k]];
    t = AddConstFloat(name, out_dims, std::move(data));
  } else {
    return Status::Error("integer constant " + ValueDesc(v.name) +
                         " used as a tensor operand: unsupported dtype (float32 only)");
  }
  v.layouts.emplace(perm, t);
  return t;
}

namespace {
// True when permuting dims `from` by `rel` (out[j] = in[rel[j]]) keeps the bytes in place: the
// dims larger than 1 keep their relative order.
bool MovesOnlyUnitDims(const Dims& in_dims, const Perm& rel) {
  int last = -1;
  for (size_t j = 0; j < rel.size(); ++j) {
    if (in_dims[rel[j]] == 1) continue;
    if (rel[j] < last) return false;
    last = rel[j];
  }
  return true;
}
}  // namespace

Result<int> Converter::TensorIn(Value& v, const Perm& perm) {
  if (v.constant) return MaterializeConst(v, perm);
  if (v.perm == perm) return v.tensor;
  auto it = v.layouts.find(perm);
  if (it != v.layouts.end()) return it->second;
  // out[j] = onnx[perm[j]] = in[inv(v.perm)[perm[j]]]
  const Perm inv = InversePerm(v.perm);
  Perm rel(perm.size());
  for (size_t j = 0; j < perm.size(); ++j) rel[j] = inv[perm[j]];
  const Dims in_dims = Permuted(v.shape, v.perm);
  const Dims out_dims = Permuted(v.shape, perm);
  const bool identity = perm == IdentityPerm(perm.size());
  LITHE_ASSIGN_OR_RETURN(int t, AddTensor(v.name + (identity ? "/onnx_layout" : "/nhwc"), out_dims));
  if (MovesOnlyUnitDims(in_dims, rel)) {
    const int shape = AddConstInt32(v.name + "/shape", {static_cast<int64_t>(out_dims.size())},
                                    out_dims);
    ::tflite::ReshapeOptionsT o;
    o.new_shape.assign(out_dims.begin(), out_dims.end());
    ::tflite::BuiltinOptionsUnion u;
    u.Set(std::move(o));
    AddOp(::tflite::BuiltinOperator::RESHAPE, {v.tensor, shape}, {t}, std::move(u));
  } else {
    const int p = AddConstInt32(v.name + "/perm", {static_cast<int64_t>(rel.size())},
                                Dims(rel.begin(), rel.end()));
    ::tflite::BuiltinOptionsUnion u;
    u.Set(::tflite::TransposeOptionsT());
    AddOp(::tflite::BuiltinOperator::TRANSPOSE, {v.tensor, p}, {t}, std::move(u));
  }
  v.layouts.emplace(perm, t);
  return t;
}

Result<int> Converter::TensorInOnnxOrder(Value& v) {
  const Perm id = IdentityPerm(v.shape.size());
  if (!v.constant && v.perm != id) {
    const Perm inv = InversePerm(v.perm);
    if (MovesOnlyUnitDims(Permuted(v.shape, v.perm), inv)) return v.tensor;
  }
  return TensorIn(v, id);
}

Perm Converter::CommonLayout(const std::vector<Value*>& values, size_t rank) const {
  Perm chosen;
  for (const Value* v : values) {
    if (v->constant) continue;
    if (v->shape.size() != rank) return IdentityPerm(rank);
    if (chosen.empty()) {
      chosen = v->perm;
    } else if (chosen != v->perm) {
      return IdentityPerm(rank);
    }
  }
  return chosen.empty() ? IdentityPerm(rank) : chosen;
}

Status Converter::LoadInitializers() {
  for (const auto& init : graph_.initializer()) {
    if (init.name().empty()) return Status::Error("an initializer has no name");
    LITHE_ASSIGN_OR_RETURN(ConstData c, ReadTensorProto(init));
    Value v;
    v.name = init.name();
    v.shape = c.shape;
    v.constant = std::make_shared<const ConstData>(std::move(c));
    values_[init.name()] = std::move(v);  // a later initializer of the same name wins
  }
  return Status::Ok();
}

Status Converter::DefineGraphInputs() {
  for (const auto& in : graph_.input()) {
    if (values_.count(in.name())) continue;  // an initializer listed as input (old exporters)
    const std::string what = "graph input " + ValueDesc(in.name());
    if (!in.type().has_tensor_type()) return Status::Error(what + " is not a tensor");
    const auto& tt = in.type().tensor_type();
    if (tt.elem_type() != onnx::TensorProto::FLOAT)
      return Status::Error(what + " has unsupported dtype " + OnnxTypeName(tt.elem_type()) +
                           " (float32 inputs only)");
    if (!tt.has_shape()) return Status::Error(what + " has no shape");
    Dims shape;
    for (const auto& d : tt.shape().dim()) {
      if (d.has_dim_value()) {
        shape.push_back(d.dim_value());
      } else {
        shape.push_back(1);  // a symbolic dim (batch): converted for 1
      }
    }
    LITHE_RETURN_IF_ERROR(CheckDims(shape, what));
    Value v;
    v.name = in.name();
    v.shape = shape;
    v.perm = (options_.nhwc_io && shape.size() == 4) ? NhwcPerm() : IdentityPerm(shape.size());
    LITHE_ASSIGN_OR_RETURN(v.tensor, AddTensor(in.name(), Permuted(shape, v.perm)));
    subgraph_->inputs.push_back(v.tensor);
    values_[in.name()] = std::move(v);
  }
  return Status::Ok();
}

Status Converter::DefineGraphOutputs() {
  for (const auto& out : graph_.output()) {
    auto it = values_.find(out.name());
    if (it == values_.end())
      return Status::Error("graph output " + ValueDesc(out.name()) + " is never produced");
    Value& v = it->second;
    const Perm want =
        (options_.nhwc_io && v.shape.size() == 4) ? NhwcPerm() : IdentityPerm(v.shape.size());
    LITHE_ASSIGN_OR_RETURN(int t, TensorIn(v, want));
    const bool is_input = std::count(subgraph_->inputs.begin(), subgraph_->inputs.end(), t) > 0;
    const bool is_output =
        std::count(subgraph_->outputs.begin(), subgraph_->outputs.end(), t) > 0;
    if (v.constant || is_input || is_output) {  // outputs get a tensor of their own
      const Dims dims = Permuted(v.shape, want);
      LITHE_ASSIGN_OR_RETURN(int copy, AddTensor(out.name(), dims));
      const int shape = AddConstInt32(out.name() + "/shape", {static_cast<int64_t>(dims.size())}, dims);
      ::tflite::ReshapeOptionsT o;
      o.new_shape.assign(dims.begin(), dims.end());
      ::tflite::BuiltinOptionsUnion u;
      u.Set(std::move(o));
      AddOp(::tflite::BuiltinOperator::RESHAPE, {t, shape}, {copy}, std::move(u));
      t = copy;
    }
    // The output tensor carries the ONNX name.
    for (auto& other : subgraph_->tensors)
      if (other->name == out.name() && &*other != &tensor(t)) other->name += "/inner";
    tensor(t).name = out.name();
    subgraph_->outputs.push_back(t);
  }
  if (subgraph_->outputs.empty()) return Status::Error("the graph has no outputs");
  return Status::Ok();
}

Status Converter::ConvertNode(const OnnxNode& n) {
  if (fused_.count(n.index)) return Status::Ok();
  static const std::unordered_map<std::string, OpConverter> table = [] {
    std::unordered_map<std::string, OpConverter> t;
    for (const auto& e : OpConverters()) t[e.op_type] = e.convert;
    return t;
  }();
  if (!n.proto->domain().empty() && n.proto->domain() != "ai.onnx")
    return Status::Error("op domain '" + n.proto->domain() + "' is not supported");
  for (const char* legacy : {"consumed_inputs", "is_test", "spatial"})
    if (Attr(n, legacy)) return Status::Error(std::string("legacy attribute '") + legacy + "' is not supported");
  auto it = table.find(n.op());
  if (it == table.end()) return Status::Error("op type is not supported");
  return it->second(*this, n);
}

Result<std::vector<uint8_t>> Converter::Run() {
  tfl_ = std::make_unique<::tflite::ModelT>();
  tfl_->version = 3;
  tfl_->description = "lithe convert: ONNX opset " + std::to_string(opset_) +
                      (model_.producer_name().empty() ? "" : ", from " + model_.producer_name());
  tfl_->buffers.push_back(std::make_unique<::tflite::BufferT>());  // buffer 0: empty
  tfl_->subgraphs.push_back(std::make_unique<::tflite::SubGraphT>());
  subgraph_ = tfl_->subgraphs.back().get();
  subgraph_->name = graph_.name().empty() ? "main" : graph_.name();

  for (const auto& o : graph_.output()) graph_outputs_[o.name()] = true;
  nodes_.resize(graph_.node_size());
  for (int k = 0; k < graph_.node_size(); ++k) {
    nodes_[k].index = k;
    nodes_[k].proto = &graph_.node(k);
    for (const auto& in : graph_.node(k).input())
      if (!in.empty()) consumers_[in].push_back(k);
  }
  LITHE_RETURN_IF_ERROR(LoadInitializers().Prefixed("initializers"));
  LITHE_RETURN_IF_ERROR(DefineGraphInputs());
  // Constant nodes first: they have no inputs, and a converter looking ahead to fuse what
  // follows it (a Clip's bounds) may need one that comes later in node order.
  for (const OnnxNode& n : nodes_) {
    if (n.op() != "Constant" || n.num_inputs() != 0) continue;
    Status s = ConvertNode(n);
    if (!s.ok())
      return s.Prefixed("node " + std::to_string(n.index) + " '" + n.name() + "' (" + n.op() +
                        ", opset " + std::to_string(opset_) + ")");
    fused_[n.index] = "";
  }
  for (const OnnxNode& n : nodes_) {
    Status s = ConvertNode(n);
    if (!s.ok())
      return s.Prefixed("node " + std::to_string(n.index) + " '" + n.name() + "' (" + n.op() +
                        ", opset " + std::to_string(opset_) + ")");
  }
  LITHE_RETURN_IF_ERROR(DefineGraphOutputs());

  // A signature, so TFLite's signature runners find inputs and outputs by their ONNX names.
  auto sig = std::make_unique<::tflite::SignatureDefT>();
  sig->signature_key = "serving_default";
  for (int t : subgraph_->inputs) {
    auto m = std::make_unique<::tflite::TensorMapT>();
    m->name = tensor(t).name;
    m->tensor_index = static_cast<uint32_t>(t);
    sig->inputs.push_back(std::move(m));
  }
  for (int t : subgraph_->outputs) {
    auto m = std::make_unique<::tflite::TensorMapT>();
    m->name = tensor(t).name;
    m->tensor_index = static_cast<uint32_t>(t);
    sig->outputs.push_back(std::move(m));
  }
  tfl_->signature_defs.push_back(std::move(sig));

  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(::tflite::Model::Pack(fbb, tfl_.get()), ::tflite::ModelIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

// --- entry points ------------------------------------------------------------------------

Result<std::vector<uint8_t>> ConvertOnnx(const uint8_t* data, size_t size,
                                         const OnnxConvertOptions& options) {
  if (size > static_cast<size_t>(std::numeric_limits<int>::max()))
    return Status::Error("ONNX file too large (2 GiB at most)");
  onnx::ModelProto model;
  if (!model.ParseFromArray(data, static_cast<int>(size)))
    return Status::Error("not a valid ONNX model (protobuf parse failed)");
  if (!model.has_graph()) return Status::Error("ONNX model has no graph");
  int opset = -1;
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset = static_cast<int>(o.version());
  if (opset < 0) return Status::Error("ONNX model imports no default-domain opset");
  if (opset < kMinOnnxOpset || opset > kMaxOnnxOpset)
    return Status::Error("ONNX opset " + std::to_string(opset) + " is not supported (" +
                         std::to_string(kMinOnnxOpset) + " to " + std::to_string(kMaxOnnxOpset) +
                         ")");
  Converter c(model, opset, options);
  return c.Run();
}

Result<std::vector<uint8_t>> ConvertOnnxFile(const std::string& path,
                                             const OnnxConvertOptions& options) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::Error("cannot open " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  const std::string bytes = ss.str();
  Result<std::vector<uint8_t>> r =
      ConvertOnnx(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), options);
  if (!r.ok()) return r.status().Prefixed(path);
  return r;
}

std::vector<std::string> SupportedOnnxOps() {
  std::vector<std::string> ops;
  for (const auto& e : OpConverters()) ops.push_back(e.op_type);
  std::sort(ops.begin(), ops.end());
  return ops;
}

}  // namespace lithe::convert
