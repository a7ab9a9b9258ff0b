#include "format/tflite_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "flatbuffers/flatbuffers.h"
#include "format/format_options.h"
#include "format/model_storage.h"
#include "ops/registry.h"
#include "tflite_generated.h"

namespace lithe {
namespace {

constexpr int kCustomCode = static_cast<int>(::tflite::BuiltinOperator::CUSTOM);

std::string TensorRef(int index, const std::string& name) {
  return "tensor " + std::to_string(index) + " ('" + name + "')";
}

// Context for the errors of one subgraph: "subgraph 0: ..."; omitted for single-graph models.
class Reader {
 public:
  Reader(const uint8_t* bytes, size_t size, Model* model)
      : bytes_(bytes), size_(size), model_(model), graph_(model->mutable_graph()) {}

  Status Read() {
    if (size_ < 8) return Status::Error("file too short to be a TFLite model (" + std::to_string(size_) + " bytes)");
    if (size_ >= static_cast<size_t>(FLATBUFFERS_MAX_BUFFER_SIZE))
      return Status::Error("file larger than 2 GiB is not supported");
    if (!flatbuffers::BufferHasIdentifier(bytes_, ::tflite::ModelIdentifier()))
      return Status::Error("not a TFLite model: file identifier at byte 4 is not 'TFL3'");
    // Depth and table-count limits bound the verifier's work on hostile files.
    flatbuffers::Verifier verifier(bytes_, size_, /*max_depth=*/64, /*max_tables=*/10000000);
    if (!::tflite::VerifyModelBuffer(verifier))
      return Status::Error(
          "malformed TFLite flatbuffer: the verifier found an offset, vector or string outside "
          "the file or misaligned");
    const ::tflite::Model* m = ::tflite::GetModel(bytes_);
    if (m->version() != 3)
      return Status::Error("unsupported schema version " + std::to_string(m->version()) +
                           " (lithe reads version 3)");
    graph_.version = m->version();
    if (m->description() != nullptr) graph_.description = m->description()->str();
    LITHE_RETURN_IF_ERROR(ReadBuffers(*m));
    LITHE_RETURN_IF_ERROR(ReadOpCodes(*m));
    if (m->subgraphs() == nullptr || m->subgraphs()->size() == 0)
      return Status::Error("model has no subgraphs");
    for (size_t s = 0; s < m->subgraphs()->size(); ++s) {
      const ::tflite::SubGraph* sg = m->subgraphs()->Get(static_cast<flatbuffers::uoffset_t>(s));
      Subgraph out;
      Status st = ReadSubgraph(*sg, &out);
      if (!st.ok()) return m->subgraphs()->size() > 1 ? st.Prefixed("subgraph " + std::to_string(s)) : st;
      graph_.subgraphs.push_back(std::move(out));
    }
    LITHE_RETURN_IF_ERROR(ReadSignatures(*m));
    return ReadMetadata(*m);
  }

 private:
  struct BufferView {
    const uint8_t* data = nullptr;
    size_t size = 0;
  };
  struct OpCode {
    int code = 0;
    std::string custom;
    int version = 1;
  };

  Status ReadBuffers(const ::tflite::Model& m) {
    if (m.buffers() == nullptr) return Status::Ok();
    buffers_.resize(m.buffers()->size());
    if (!buffers_.empty()) {
      const ::tflite::Buffer* b0 = m.buffers()->Get(0);
      if ((b0->data() != nullptr && b0->data()->size() > 0) || b0->offset() > 1)
        return Status::Error("buffer 0 holds data, but it is the format's empty sentinel (tensors without data point to it)");
    }
    for (size_t i = 0; i < buffers_.size(); ++i) {
      const ::tflite::Buffer* b = m.buffers()->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (b->offset() > 1) {
        // Data stored after the flatbuffer (models over 2 GB); offset is from the file start.
        if (b->offset() > size_ || b->size() > size_ - b->offset())
          return Status::Error("buffer " + std::to_string(i) + ": external data [" +
                               std::to_string(b->offset()) + ", +" + std::to_string(b->size()) +
                               ") lies outside the file of " + std::to_string(size_) + " bytes");
        buffers_[i] = {bytes_ + b->offset(), static_cast<size_t>(b->size())};
      } else if (b->data() != nullptr && b->data()->size() > 0) {
        buffers_[i] = {b->data()->data(), b->data()->size()};
      }
    }
    return Status::Ok();
  }

  Status ReadOpCodes(const ::tflite::Model& m) {
    if (m.operator_codes() == nullptr) return Status::Ok();
    for (size_t i = 0; i < m.operator_codes()->size(); ++i) {
      const ::tflite::OperatorCode* c = m.operator_codes()->Get(static_cast<flatbuffers::uoffset_t>(i));
      OpCode oc;
      // Old files set only the byte-sized field; newer ones both (the larger one is right).
      oc.code = std::max<int>(c->deprecated_builtin_code(), static_cast<int>(c->builtin_code()));
      if (oc.code < 0)
        return Status::Error("operator code " + std::to_string(i) + ": negative builtin code " + std::to_string(oc.code));
      oc.version = c->version();
      if (oc.version < 1)
        return Status::Error("operator code " + std::to_string(i) + ": invalid version " + std::to_string(oc.version));
      if (oc.code == kCustomCode) {
        if (c->custom_code() == nullptr || c->custom_code()->size() == 0)
          return Status::Error("operator code " + std::to_string(i) + ": custom op without a name");
        oc.custom = c->custom_code()->str();
      }
      opcodes_.push_back(std::move(oc));
    }
    return Status::Ok();
  }

  // Copies data that is not aligned for its element type (the format asks for 16-byte
  // alignment; a file that ignores it still loads, at the cost of a copy).
  const uint8_t* Aligned(const uint8_t* data, size_t size, size_t align) {
    if (reinterpret_cast<uintptr_t>(data) % align == 0) return data;
    AlignedBytes copy = AllocateAligned(size);
    if (!copy) return nullptr;
    std::memcpy(copy.get(), data, size);
    const uint8_t* p = copy.get();
    model_->storage().realigned.push_back(std::move(copy));
    return p;
  }

  Status ReadTensor(const ::tflite::Tensor& t, int index, TensorInfo* out, bool* maybe_empty_constant) {
    out->name = t.name() != nullptr ? t.name()->str() : "";
    const std::string where = TensorRef(index, out->name);
    const int type = static_cast<int>(t.type());
    if (type < 0 || type > static_cast<int>(::tflite::TensorType::MAX))
      return Status::Error(where + ": unknown dtype " + std::to_string(type));
    out->type = static_cast<DType>(type);
    if (t.shape() != nullptr) {
      if (t.shape()->size() > static_cast<size_t>(kMaxRank))
        return Status::Error(where + ": rank " + std::to_string(t.shape()->size()) +
                             " exceeds the maximum of " + std::to_string(kMaxRank));
      for (int32_t d : *t.shape()) {
        if (d < 0) return Status::Error(where + ": negative dimension " + std::to_string(d) + " in shape");
        out->shape.push_back(d);
      }
    }
    if (t.shape_signature() != nullptr) {
      if (t.shape_signature()->size() != out->shape.size())
        return Status::Error(where + ": shape_signature has rank " +
                             std::to_string(t.shape_signature()->size()) + ", shape has rank " +
                             std::to_string(out->shape.size()));
      for (size_t i = 0; i < out->shape.size(); ++i) {
        const int32_t d = t.shape_signature()->Get(static_cast<flatbuffers::uoffset_t>(i));
        if (d < -1 || (d >= 0 && d != out->shape[i]))
          return Status::Error(where + ": shape_signature " + std::to_string(d) +
                               " disagrees with shape " + std::to_string(out->shape[i]) +
                               " at dim " + std::to_string(i));
        out->shape_signature.push_back(d);
      }
    }
    out->is_variable = t.is_variable();
    LITHE_RETURN_IF_ERROR(ReadQuantization(t, where, out));

    out->buffer = static_cast<int>(t.buffer());
    if (t.buffer() >= buffers_.size() && t.buffer() != 0)
      return Status::Error(where + ": buffer index " + std::to_string(t.buffer()) +
                           " out of range (model has " + std::to_string(buffers_.size()) + " buffers)");
    const BufferView b = t.buffer() < buffers_.size() ? buffers_[t.buffer()] : BufferView{};
    if (t.sparsity() != nullptr) {
      if (b.data == nullptr) return Status::Error(where + ": sparse tensor without data");
      LITHE_RETURN_IF_ERROR(ReadSparsity(*t.sparsity(), where, out));
    }
    bool zero_elements = false;
    for (int32_t d : out->shape) zero_elements = zero_elements || d == 0;
    if (b.data == nullptr && t.buffer() != 0 && zero_elements && !out->is_variable) *maybe_empty_constant = true;
    if (b.data != nullptr) {
      const size_t esize = DTypeSize(out->type);
      if (esize == 0)
        return Status::Error(where + ": constant data of dtype " + DTypeName(out->type) + " is not supported");
      if (t.sparsity() == nullptr) {
        // Elements, with overflow checks: a hostile shape must not wrap around.
        uint64_t n = 1;
        for (int32_t d : out->shape) {
          if (d != 0 && n > std::numeric_limits<uint64_t>::max() / 8 / static_cast<uint64_t>(d))
            return Status::Error(where + ": shape too large");
          n *= static_cast<uint64_t>(d);
        }
        if (n * esize != b.size)
          return Status::Error(where + ": buffer " + std::to_string(t.buffer()) + " holds " +
                               std::to_string(b.size) + " bytes, but shape " +
                               Shape::FromVector(out->shape).ToString() + " of " +
                               DTypeName(out->type) + " needs " + std::to_string(n * esize));
      } else if (b.size % esize != 0) {
        return Status::Error(where + ": sparse values buffer size " + std::to_string(b.size) +
                             " is not a multiple of the element size");
      }
      out->data = Aligned(b.data, b.size, std::max<size_t>(esize, 4));
      if (out->data == nullptr) return Status::Error(where + ": out of memory copying buffer");
      out->bytes = b.size;
    }
    return Status::Ok();
  }

  Status ReadQuantization(const ::tflite::Tensor& t, const std::string& where, TensorInfo* out) {
    const ::tflite::QuantizationParameters* q = t.quantization();
    if (q == nullptr || q->scale() == nullptr || q->scale()->size() == 0) return Status::Ok();
    if (q->details_type() != ::tflite::QuantizationDetails::NONE)
      return Status::Error(where + ": custom quantization is not supported");
    const size_t n = q->scale()->size();
    if (q->zero_point() != nullptr && q->zero_point()->size() != n && q->zero_point()->size() != 0)
      return Status::Error(where + ": " + std::to_string(n) + " scales but " +
                           std::to_string(q->zero_point()->size()) + " zero points");
    out->quant.scale.assign(q->scale()->begin(), q->scale()->end());
    if (q->zero_point() != nullptr && q->zero_point()->size() == n)
      out->quant.zero_point.assign(q->zero_point()->begin(), q->zero_point()->end());
    else
      out->quant.zero_point.assign(n, 0);
    out->quant.axis = q->quantized_dimension();
    if (n > 1) {
      const int axis = out->quant.axis;
      if (axis < 0 || axis >= static_cast<int>(out->shape.size()))
        return Status::Error(where + ": quantized_dimension " + std::to_string(axis) +
                             " out of range for rank " + std::to_string(out->shape.size()));
      if (static_cast<size_t>(out->shape[axis]) != n)
        return Status::Error(where + ": " + std::to_string(n) + " scales for dimension " +
                             std::to_string(axis) + " of size " + std::to_string(out->shape[axis]));
    }
    return Status::Ok();
  }

  static Status ReadIndexVector(::tflite::SparseIndexVector type, const void* v, DType* out_type,
                                const void** data, size_t* n) {
    switch (type) {
      case ::tflite::SparseIndexVector::Int32Vector: {
        auto* x = static_cast<const ::tflite::Int32Vector*>(v);
        if (x->values() == nullptr) break;
        *out_type = DType::kInt32; *data = x->values()->data(); *n = x->values()->size();
        return Status::Ok();
      }
      case ::tflite::SparseIndexVector::Uint16Vector: {
        auto* x = static_cast<const ::tflite::Uint16Vector*>(v);
        if (x->values() == nullptr) break;
        *out_type = DType::kUInt16; *data = x->values()->data(); *n = x->values()->size();
        return Status::Ok();
      }
      case ::tflite::SparseIndexVector::Uint8Vector: {
        auto* x = static_cast<const ::tflite::Uint8Vector*>(v);
        if (x->values() == nullptr) break;
        *out_type = DType::kUInt8; *data = x->values()->data(); *n = x->values()->size();
        return Status::Ok();
      }
      default: break;
    }
    return Status::Error("missing or unknown sparse index vector");
  }

  Status ReadSparsity(const ::tflite::SparsityParameters& sp, const std::string& where, TensorInfo* out) {
    auto s = std::make_shared<Sparsity>();
    if (sp.traversal_order() != nullptr) s->traversal_order.assign(sp.traversal_order()->begin(), sp.traversal_order()->end());
    if (sp.block_map() != nullptr) s->block_map.assign(sp.block_map()->begin(), sp.block_map()->end());
    if (sp.dim_metadata() == nullptr || sp.dim_metadata()->size() != s->traversal_order.size())
      return Status::Error(where + ": sparsity dim_metadata must have one entry per traversal_order entry");
    if (s->traversal_order.size() > 2 * static_cast<size_t>(kMaxRank))
      return Status::Error(where + ": sparsity has too many dimensions");
    for (const ::tflite::DimensionMetadata* dm : *sp.dim_metadata()) {
      SparseDim d;
      d.csr = dm->format() == ::tflite::DimensionType::SPARSE_CSR;
      d.dense_size = dm->dense_size();
      if (d.csr) {
        Status st = ReadIndexVector(dm->array_segments_type(), dm->array_segments(), &d.segments_type,
                                    &d.segments, &d.num_segments);
        if (st.ok())
          st = ReadIndexVector(dm->array_indices_type(), dm->array_indices(), &d.indices_type,
                               &d.indices, &d.num_indices);
        if (!st.ok()) return st.Prefixed(where + ": sparsity");
      } else if (dm->format() != ::tflite::DimensionType::DENSE) {
        return Status::Error(where + ": unknown sparse dimension format");
      }
      s->dims.push_back(d);
    }
    out->sparsity = std::move(s);
    return Status::Ok();
  }

  Status ReadIndices(const flatbuffers::Vector<int32_t>* v, size_t num_tensors, bool allow_omitted,
                     const std::string& where, std::vector<int>* out) {
    if (v == nullptr) return Status::Ok();
    for (int32_t i : *v) {
      if ((i == -1 && allow_omitted) || (i >= 0 && static_cast<size_t>(i) < num_tensors)) {
        out->push_back(i);
        continue;
      }
      return Status::Error(where + ": tensor index " + std::to_string(i) + " out of range (subgraph has " +
                           std::to_string(num_tensors) + " tensors)");
    }
    return Status::Ok();
  }

  Status ReadNode(const ::tflite::Operator& op, int index, size_t num_tensors, Node* node) {
    std::string where = "op " + std::to_string(index);
    if (op.opcode_index() >= opcodes_.size())
      return Status::Error(where + ": opcode_index " + std::to_string(op.opcode_index()) +
                           " out of range (" + std::to_string(opcodes_.size()) + " operator codes)");
    const OpCode& oc = opcodes_[op.opcode_index()];
    node->builtin_code = oc.code;
    node->version = oc.version;
    node->op_name = oc.code == kCustomCode ? oc.custom : BuiltinCodeName(oc.code);
    where = node->op_name + " (op " + std::to_string(index) + ")";
    LITHE_RETURN_IF_ERROR(ReadIndices(op.inputs(), num_tensors, true, where + " inputs", &node->inputs));
    LITHE_RETURN_IF_ERROR(ReadIndices(op.outputs(), num_tensors, false, where + " outputs", &node->outputs));
    LITHE_RETURN_IF_ERROR(ReadIndices(op.intermediates(), num_tensors, false, where + " intermediates", &node->intermediates));
    if (op.custom_options() != nullptr) {
      node->custom_options = op.custom_options()->data();
      node->custom_options_size = op.custom_options()->size();
    } else if (op.large_custom_options_offset() > 1) {
      const uint64_t off = op.large_custom_options_offset(), sz = op.large_custom_options_size();
      if (off > size_ || sz > size_ - off)
        return Status::Error(where + ": custom options lie outside the file");
      node->custom_options = bytes_ + off;
      node->custom_options_size = static_cast<size_t>(sz);
    }
    // Kept as stored, for writing back (the verifier has checked the table). A type tag without
    // a table means default options, as no options at all; a tag this schema does not know
    // keeps its value null (the writer refuses it).
    auto format_options = std::make_shared<FormatOptions>();
    if (op.builtin_options() != nullptr) {
      format_options->builtin.type = op.builtin_options_type();
      format_options->builtin.value =
          ::tflite::BuiltinOptionsUnion::UnPack(op.builtin_options(), op.builtin_options_type(), nullptr);
    }
    node->format_options = std::move(format_options);
    if (oc.code != kCustomCode) {
      if (const BuiltinOpDef* def = FindBuiltinOp(oc.code)) {
        auto parsed = def->parse(op);
        if (!parsed.ok()) return parsed.status().Prefixed(where);
        node->options = std::move(parsed).value();
      }
    }
    return Status::Ok();
  }

  // Every tensor an op reads must be a graph input, a constant or an earlier op's output, and
  // every tensor is written at most once. This rules out cycles and use before definition.
  Status CheckOrder(const Subgraph& sg) {
    std::vector<int> producer(sg.tensors.size(), -2);  // -2: nobody, -1: graph input
    for (int i : sg.inputs) {
      if (sg.tensors[i].is_constant())
        return Status::Error("graph input " + TensorRef(i, sg.tensors[i].name) + " is a constant");
      producer[i] = -1;
    }
    for (size_t n = 0; n < sg.nodes.size(); ++n) {
      const Node& node = sg.nodes[n];
      const std::string where = node.op_name + " (op " + std::to_string(n) + ")";
      for (int t : node.inputs) {
        if (t < 0 || sg.tensors[t].is_constant() || producer[t] != -2) continue;
        return Status::Error(where + " reads " + TensorRef(t, sg.tensors[t].name) +
                             ", which no earlier op produces and which is neither a graph input nor a constant");
      }
      for (int t : node.outputs) {
        if (sg.tensors[t].is_constant())
          return Status::Error(where + " writes constant " + TensorRef(t, sg.tensors[t].name));
        if (producer[t] != -2)
          return Status::Error(where + " writes " + TensorRef(t, sg.tensors[t].name) +
                               ", which is already " + (producer[t] == -1 ? std::string("a graph input") : "written by op " + std::to_string(producer[t])));
        producer[t] = static_cast<int>(n);
      }
    }
    for (int t : sg.outputs) {
      if (producer[t] == -2 && !sg.tensors[t].is_constant())
        return Status::Error("graph output " + TensorRef(t, sg.tensors[t].name) + " is never produced");
    }
    return Status::Ok();
  }

  Status ReadSubgraph(const ::tflite::SubGraph& sg, Subgraph* out) {
    if (sg.name() != nullptr) out->name = sg.name()->str();
    const size_t nt = sg.tensors() != nullptr ? sg.tensors()->size() : 0;
    out->tensors.resize(nt);
    std::vector<bool> maybe_empty(nt, false);
    for (size_t i = 0; i < nt; ++i) {
      bool e = false;
      LITHE_RETURN_IF_ERROR(ReadTensor(*sg.tensors()->Get(static_cast<flatbuffers::uoffset_t>(i)),
                                       static_cast<int>(i), &out->tensors[i], &e));
      maybe_empty[i] = e;
    }
    LITHE_RETURN_IF_ERROR(ReadIndices(sg.inputs(), nt, false, "graph inputs", &out->inputs));
    LITHE_RETURN_IF_ERROR(ReadIndices(sg.outputs(), nt, false, "graph outputs", &out->outputs));
    if (sg.operators() != nullptr) {
      out->nodes.resize(sg.operators()->size());
      for (size_t i = 0; i < out->nodes.size(); ++i)
        LITHE_RETURN_IF_ERROR(ReadNode(*sg.operators()->Get(static_cast<flatbuffers::uoffset_t>(i)),
                                       static_cast<int>(i), nt, &out->nodes[i]));
    }
    // A zero-element tensor with its own (empty) buffer that no op writes and that is not a
    // graph input is an empty constant (e.g. the empty axes list of a MEAN): give it a valid,
    // empty data pointer.
    static const uint64_t kEmpty[2] = {0, 0};
    for (int i : out->inputs) maybe_empty[i] = false;
    for (const Node& n : out->nodes)
      for (int t : n.outputs) maybe_empty[t] = false;
    for (size_t i = 0; i < nt; ++i)
      if (maybe_empty[i] && out->tensors[i].sparsity == nullptr)
        out->tensors[i].data = reinterpret_cast<const uint8_t*>(kEmpty);
    return CheckOrder(*out);
  }

  Status ReadSignatures(const ::tflite::Model& m) {
    if (m.signature_defs() == nullptr) return Status::Ok();
    for (size_t i = 0; i < m.signature_defs()->size(); ++i) {
      const ::tflite::SignatureDef* sd = m.signature_defs()->Get(static_cast<flatbuffers::uoffset_t>(i));
      SignatureDef d;
      d.key = sd->signature_key() != nullptr ? sd->signature_key()->str() : "";
      const std::string where = "signature " + std::to_string(i) + " ('" + d.key + "')";
      if (sd->subgraph_index() >= graph_.subgraphs.size())
        return Status::Error(where + ": subgraph index " + std::to_string(sd->subgraph_index()) + " out of range");
      d.subgraph_index = static_cast<int>(sd->subgraph_index());
      const size_t nt = graph_.subgraphs[d.subgraph_index].tensors.size();
      auto read = [&](const flatbuffers::Vector<flatbuffers::Offset<::tflite::TensorMap>>* v,
                      std::vector<SignatureTensor>* dst) -> Status {
        if (v == nullptr) return Status::Ok();
        for (const ::tflite::TensorMap* tm : *v) {
          if (tm->tensor_index() >= nt)
            return Status::Error(where + ": tensor index " + std::to_string(tm->tensor_index()) + " out of range");
          dst->push_back({tm->name() != nullptr ? tm->name()->str() : "", static_cast<int>(tm->tensor_index())});
        }
        return Status::Ok();
      };
      LITHE_RETURN_IF_ERROR(read(sd->inputs(), &d.inputs));
      LITHE_RETURN_IF_ERROR(read(sd->outputs(), &d.outputs));
      graph_.signatures.push_back(std::move(d));
    }
    return Status::Ok();
  }

  Status ReadMetadata(const ::tflite::Model& m) {
    if (m.metadata() == nullptr) return Status::Ok();
    for (const ::tflite::Metadata* md : *m.metadata()) {
      Metadata d;
      d.name = md->name() != nullptr ? md->name()->str() : "";
      if (md->buffer() >= buffers_.size())
        return Status::Error("metadata '" + d.name + "': buffer index " + std::to_string(md->buffer()) + " out of range");
      d.buffer = static_cast<int>(md->buffer());
      d.data = buffers_[md->buffer()].data;
      d.bytes = buffers_[md->buffer()].size;
      graph_.metadata.push_back(std::move(d));
    }
    return Status::Ok();
  }

  const uint8_t* bytes_;
  size_t size_;
  Model* model_;
  Graph& graph_;
  std::vector<BufferView> buffers_;
  std::vector<OpCode> opcodes_;
};

}  // namespace

Status ReadTfliteModel(const uint8_t* bytes, size_t size, Model* model) {
  return Reader(bytes, size, model).Read();
}

}  // namespace lithe
