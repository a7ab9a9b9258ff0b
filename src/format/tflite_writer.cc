#include "format/tflite_writer.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <tuple>
#include <utility>

#include "flatbuffers/flatbuffers.h"
#include "format/file_util.h"
#include "format/format_options.h"
#include "tflite_generated.h"

namespace lithe {
namespace {

constexpr int kCustomCode = static_cast<int>(::tflite::BuiltinOperator::CUSTOM);
// Codes above this fit only the 32-bit builtin_code field; the byte field holds the placeholder.
constexpr int kPlaceholderForGreaterOpCodes =
    static_cast<int>(::tflite::BuiltinOperator::PLACEHOLDER_FOR_GREATER_OP_CODES);
// Flatbuffers address with signed 32-bit offsets. Leave room for the tables around the data.
constexpr uint64_t kMaxDataBytes = (uint64_t{1} << 31) - (uint64_t{64} << 20);
// A buffer index beyond this is not from a real file (each buffer costs the file >= 4 bytes).
constexpr int kMaxBufferIndex = 1 << 28;

std::string TensorRef(size_t subgraph, size_t index, const std::string& name) {
  return "subgraph " + std::to_string(subgraph) + " tensor " + std::to_string(index) + " ('" + name + "')";
}

// Copies n sparse index values of `type` into the format's typed vector union.
Status CopyIndexVector(DType type, const void* data, size_t n, ::tflite::SparseIndexVectorUnion* out) {
  if (n > 0 && data == nullptr) return Status::Error("sparse index vector without data");
  switch (type) {
    case DType::kInt32: {
      ::tflite::Int32VectorT v;
      v.values.resize(n);
      if (n > 0) std::memcpy(v.values.data(), data, n * sizeof(int32_t));
      out->Set(std::move(v));
      return Status::Ok();
    }
    case DType::kUInt16: {
      ::tflite::Uint16VectorT v;
      v.values.resize(n);
      if (n > 0) std::memcpy(v.values.data(), data, n * sizeof(uint16_t));
      out->Set(std::move(v));
      return Status::Ok();
    }
    case DType::kUInt8: {
      ::tflite::Uint8VectorT v;
      v.values.assign(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + n);
      out->Set(std::move(v));
      return Status::Ok();
    }
    default:
      return Status::Error("sparse index vector of dtype " + DTypeName(type) + " (int32, uint16 or uint8 expected)");
  }
}

class Writer {
 public:
  explicit Writer(const Graph& g) : g_(g) {}

  Result<std::vector<uint8_t>> Write() {
    model_.version = g_.version;
    model_.description = g_.description;
    LITHE_RETURN_IF_ERROR(PlanBuffers());
    for (size_t s = 0; s < g_.subgraphs.size(); ++s) {
      auto sg = std::make_unique<::tflite::SubGraphT>();
      LITHE_RETURN_IF_ERROR(WriteSubgraph(s, sg.get()));
      model_.subgraphs.push_back(std::move(sg));
    }
    for (size_t i = 0; i < g_.signatures.size(); ++i) LITHE_RETURN_IF_ERROR(WriteSignature(i));
    for (size_t i = 0; i < g_.metadata.size(); ++i) {
      auto md = std::make_unique<::tflite::MetadataT>();
      md->name = g_.metadata[i].name;
      md->buffer = static_cast<uint32_t>(metadata_buffer_[i]);
      model_.metadata.push_back(std::move(md));
    }
    if (data_bytes_ > kMaxDataBytes)
      return Status::Error("model data of " + std::to_string(data_bytes_) +
                           " bytes exceeds what a flatbuffer can hold (2 GiB)");
    flatbuffers::FlatBufferBuilder fbb(static_cast<size_t>(data_bytes_) + (size_t{1} << 16));
    ::tflite::FinishModelBuffer(fbb, ::tflite::Model::Pack(fbb, &model_));
    return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  }

 private:
  // Claims buffer `index` for `bytes` at `data`; a buffer shared by several tensors must hold
  // the same bytes for each.
  Status Claim(int index, const uint8_t* data, size_t bytes, const std::string& who) {
    auto& b = model_.buffers[static_cast<size_t>(index)];
    if (owner_[static_cast<size_t>(index)].empty()) {
      owner_[static_cast<size_t>(index)] = who;
      if (bytes > 0) b->data.assign(data, data + bytes);
      data_bytes_ += bytes;
      return Status::Ok();
    }
    if (b->data.size() != bytes || (bytes > 0 && std::memcmp(b->data.data(), data, bytes) != 0))
      return Status::Error(who + " and " + owner_[static_cast<size_t>(index)] + " share buffer " +
                           std::to_string(index) + " but hold different data");
    return Status::Ok();
  }

  // Keeps the file's buffer indices; data without an index gets a new buffer at the end.
  Status PlanBuffers() {
    int max_index = 0;
    auto check_index = [&](int b, const std::string& who) -> Status {
      if (b < 0 || b > kMaxBufferIndex)
        return Status::Error(who + ": buffer index " + std::to_string(b) + " out of range");
      max_index = std::max(max_index, b);
      return Status::Ok();
    };
    for (size_t s = 0; s < g_.subgraphs.size(); ++s)
      for (size_t t = 0; t < g_.subgraphs[s].tensors.size(); ++t)
        LITHE_RETURN_IF_ERROR(check_index(g_.subgraphs[s].tensors[t].buffer,
                                          TensorRef(s, t, g_.subgraphs[s].tensors[t].name)));
    for (const Metadata& md : g_.metadata) LITHE_RETURN_IF_ERROR(check_index(md.buffer, "metadata '" + md.name + "'"));
    const size_t n = static_cast<size_t>(max_index) + 1;
    model_.buffers.resize(n);
    for (auto& b : model_.buffers) b = std::make_unique<::tflite::BufferT>();
    owner_.assign(n, "");
    owner_[0] = "the empty sentinel";  // buffer 0 stays empty: it means "no data"
    buffer_of_.resize(g_.subgraphs.size());
    for (size_t s = 0; s < g_.subgraphs.size(); ++s) {
      const Subgraph& sg = g_.subgraphs[s];
      buffer_of_[s].resize(sg.tensors.size());
      for (size_t t = 0; t < sg.tensors.size(); ++t) {
        const TensorInfo& ti = sg.tensors[t];
        int b = ti.buffer;
        if (ti.is_constant()) {
          if (b == 0) b = NewBuffer();
          LITHE_RETURN_IF_ERROR(Claim(b, ti.data, ti.bytes, TensorRef(s, t, ti.name)));
        }
        buffer_of_[s][t] = b;
      }
    }
    for (const Metadata& md : g_.metadata) {
      int b = md.buffer;
      if (b == 0 && md.bytes > 0) b = NewBuffer();
      if (b != 0) LITHE_RETURN_IF_ERROR(Claim(b, md.data, md.bytes, "metadata '" + md.name + "'"));
      metadata_buffer_.push_back(b);
    }
    return Status::Ok();
  }

  int NewBuffer() {
    model_.buffers.push_back(std::make_unique<::tflite::BufferT>());
    owner_.emplace_back();
    return static_cast<int>(model_.buffers.size() - 1);
  }

  Status WriteTensor(size_t s, size_t t, ::tflite::TensorT* out) {
    const TensorInfo& ti = g_.subgraphs[s].tensors[t];
    out->name = ti.name;
    out->type = static_cast<::tflite::TensorType>(ti.type);
    out->shape = ti.shape;
    out->shape_signature = ti.shape_signature;
    out->buffer = static_cast<uint32_t>(buffer_of_[s][t]);
    out->is_variable = ti.is_variable;
    if (!ti.quant.empty()) {
      auto q = std::make_unique<::tflite::QuantizationParametersT>();
      q->scale = ti.quant.scale;
      q->zero_point = ti.quant.zero_point;
      q->quantized_dimension = ti.quant.axis;
      out->quantization = std::move(q);
    }
    if (ti.sparsity != nullptr) {
      const Sparsity& sp = *ti.sparsity;
      auto o = std::make_unique<::tflite::SparsityParametersT>();
      o->traversal_order = sp.traversal_order;
      o->block_map = sp.block_map;
      for (const SparseDim& d : sp.dims) {
        auto dm = std::make_unique<::tflite::DimensionMetadataT>();
        dm->format = d.csr ? ::tflite::DimensionType::SPARSE_CSR : ::tflite::DimensionType::DENSE;
        dm->dense_size = d.dense_size;
        if (d.csr) {
          Status st = CopyIndexVector(d.segments_type, d.segments, d.num_segments, &dm->array_segments);
          if (st.ok()) st = CopyIndexVector(d.indices_type, d.indices, d.num_indices, &dm->array_indices);
          if (!st.ok()) return st.Prefixed(TensorRef(s, t, ti.name) + ": sparsity");
        }
        o->dim_metadata.push_back(std::move(dm));
      }
      out->sparsity = std::move(o);
    }
    return Status::Ok();
  }

  // The index of the operator code for (code, custom name, version), added on first use.
  uint32_t OpCodeIndex(const Node& n) {
    const auto key = std::make_tuple(n.builtin_code, n.is_custom() ? n.op_name : std::string(), n.version);
    auto it = opcode_index_.find(key);
    if (it != opcode_index_.end()) return it->second;
    auto oc = std::make_unique<::tflite::OperatorCodeT>();
    oc->builtin_code = static_cast<::tflite::BuiltinOperator>(n.builtin_code);
    oc->deprecated_builtin_code = static_cast<int8_t>(std::min(n.builtin_code, kPlaceholderForGreaterOpCodes));
    oc->version = n.version;
    if (n.is_custom()) oc->custom_code = n.op_name;
    model_.operator_codes.push_back(std::move(oc));
    const uint32_t index = static_cast<uint32_t>(model_.operator_codes.size() - 1);
    opcode_index_.emplace(key, index);
    return index;
  }

  Status WriteNode(size_t s, size_t i, ::tflite::OperatorT* out) {
    const Node& n = g_.subgraphs[s].nodes[i];
    const std::string where = "subgraph " + std::to_string(s) + " op " + std::to_string(i) + " (" + n.op_name + ")";
    if (n.builtin_code < 0) return Status::Error(where + ": negative builtin code " + std::to_string(n.builtin_code));
    if (n.is_custom() && n.op_name.empty()) return Status::Error(where + ": custom op without a name");
    const int nt = static_cast<int>(g_.subgraphs[s].tensors.size());
    auto check = [&](const std::vector<int>& v, bool allow_omitted, const char* what) -> Status {
      for (int t : v)
        if (!((t == -1 && allow_omitted) || (t >= 0 && t < nt)))
          return Status::Error(where + ": " + what + " tensor index " + std::to_string(t) + " out of range (" +
                               std::to_string(nt) + " tensors)");
      return Status::Ok();
    };
    LITHE_RETURN_IF_ERROR(check(n.inputs, true, "input"));
    LITHE_RETURN_IF_ERROR(check(n.outputs, false, "output"));
    LITHE_RETURN_IF_ERROR(check(n.intermediates, false, "intermediate"));
    out->opcode_index = OpCodeIndex(n);
    out->inputs = n.inputs;
    out->outputs = n.outputs;
    out->intermediates = n.intermediates;
    if (n.format_options != nullptr) {
      const ::tflite::BuiltinOptionsUnion& u = n.format_options->builtin;
      const bool known = u.type > ::tflite::BuiltinOptions::NONE && u.type <= ::tflite::BuiltinOptions::MAX;
      if (u.type != ::tflite::BuiltinOptions::NONE && (!known || u.value == nullptr))
        return Status::Error(where + ": builtin options of type " + std::to_string(static_cast<int>(u.type)) +
                             " are unknown to lithe's schema; writing would drop them");
      out->builtin_options = u;  // deep copy
    }
    if (n.custom_options_size > 0) {
      if (n.custom_options == nullptr) return Status::Error(where + ": custom options without data");
      out->custom_options.assign(n.custom_options, n.custom_options + n.custom_options_size);
      data_bytes_ += n.custom_options_size;
    }
    return Status::Ok();
  }

  Status WriteSubgraph(size_t s, ::tflite::SubGraphT* out) {
    const Subgraph& sg = g_.subgraphs[s];
    out->name = sg.name;
    const int nt = static_cast<int>(sg.tensors.size());
    for (const std::vector<int>* io : {&sg.inputs, &sg.outputs})
      for (int t : *io)
        if (t < 0 || t >= nt)
          return Status::Error("subgraph " + std::to_string(s) + ": graph " + (io == &sg.inputs ? "input" : "output") +
                               " tensor index " + std::to_string(t) + " out of range (" + std::to_string(nt) + " tensors)");
    out->inputs = sg.inputs;
    out->outputs = sg.outputs;
    for (size_t t = 0; t < sg.tensors.size(); ++t) {
      auto tensor = std::make_unique<::tflite::TensorT>();
      LITHE_RETURN_IF_ERROR(WriteTensor(s, t, tensor.get()));
      out->tensors.push_back(std::move(tensor));
    }
    for (size_t i = 0; i < sg.nodes.size(); ++i) {
      auto op = std::make_unique<::tflite::OperatorT>();
      LITHE_RETURN_IF_ERROR(WriteNode(s, i, op.get()));
      out->operators.push_back(std::move(op));
    }
    return Status::Ok();
  }

  Status WriteSignature(size_t i) {
    const SignatureDef& d = g_.signatures[i];
    const std::string where = "signature " + std::to_string(i) + " ('" + d.key + "')";
    if (d.subgraph_index < 0 || static_cast<size_t>(d.subgraph_index) >= g_.subgraphs.size())
      return Status::Error(where + ": subgraph index " + std::to_string(d.subgraph_index) + " out of range");
    const size_t nt = g_.subgraphs[static_cast<size_t>(d.subgraph_index)].tensors.size();
    auto sd = std::make_unique<::tflite::SignatureDefT>();
    sd->signature_key = d.key;
    sd->subgraph_index = static_cast<uint32_t>(d.subgraph_index);
    auto maps = [&](const std::vector<SignatureTensor>& src,
                    std::vector<std::unique_ptr<::tflite::TensorMapT>>* dst) -> Status {
      for (const SignatureTensor& st : src) {
        if (st.tensor_index < 0 || static_cast<size_t>(st.tensor_index) >= nt)
          return Status::Error(where + ": tensor index " + std::to_string(st.tensor_index) + " out of range");
        auto tm = std::make_unique<::tflite::TensorMapT>();
        tm->name = st.name;
        tm->tensor_index = static_cast<uint32_t>(st.tensor_index);
        dst->push_back(std::move(tm));
      }
      return Status::Ok();
    };
    LITHE_RETURN_IF_ERROR(maps(d.inputs, &sd->inputs));
    LITHE_RETURN_IF_ERROR(maps(d.outputs, &sd->outputs));
    model_.signature_defs.push_back(std::move(sd));
    return Status::Ok();
  }

  const Graph& g_;
  ::tflite::ModelT model_;
  std::vector<std::string> owner_;             // per buffer: who claimed it ("" = nobody yet)
  std::vector<std::vector<int>> buffer_of_;    // [subgraph][tensor] -> buffer index written
  std::vector<int> metadata_buffer_;
  std::map<std::tuple<int, std::string, int>, uint32_t> opcode_index_;
  uint64_t data_bytes_ = 0;
};

}  // namespace

Result<std::vector<uint8_t>> WriteTflite(const Graph& g) {
  if (g.subgraphs.empty()) return Status::Error("cannot write a model without subgraphs");
  return Writer(g).Write();
}

Status WriteTfliteFile(const Graph& g, const std::string& path) {
  auto bytes = WriteTflite(g);
  if (!bytes.ok()) return bytes.status().Prefixed(path);
  return WriteFileAtomic(path, bytes->data(), bytes->size());
}

}  // namespace lithe
