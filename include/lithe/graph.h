// The Graph: what a model file says, independent of its format. Readers build one, writers
// serialize one, the interpreter executes one. A Graph is immutable once built and may be shared
// by several interpreters.
//
//   const lithe::Graph& g = model->graph();
//   for (const lithe::Node& n : g.subgraphs[0].nodes) std::cout << n.op_name << "\n";
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lithe/tensor.h"

namespace lithe {

struct TensorInfo {
  std::string name;
  DType type = DType::kFloat32;
  std::vector<int32_t> shape;
  std::vector<int32_t> shape_signature;  // -1 marks a dynamic dim; empty when the file has none
  Quantization quant;
  // Constant data: a view into the model's bytes (never copied), null for activations.
  const uint8_t* data = nullptr;
  size_t bytes = 0;
  int buffer = 0;  // the file's buffer index (0: none), kept for write-back
  bool is_variable = false;
  std::shared_ptr<const Sparsity> sparsity;  // sparse constant, else null

  bool is_constant() const { return data != nullptr; }
};

// Typed op options: each op defines a struct deriving from this, parsed once at load.
struct OpOptions {
  virtual ~OpOptions() = default;
};

// The builtin options exactly as the file format holds them (src/format/format_options.h), so a
// writer emits them unchanged; opaque outside src/format.
struct FormatOptions;

struct Node {
  int builtin_code = -1;  // TensorFlow Lite's BuiltinOperator value; 32 (CUSTOM) for custom ops
  std::string op_name;    // "CONV_2D", or the custom op's name
  int version = 1;
  bool is_custom() const { return builtin_code == 32; }
  // Parsed builtin options; null when the op is unknown to lithe (an error at AllocateTensors).
  std::shared_ptr<const OpOptions> options;
  // The builtin options as read from the file (set by the reader for every node); null means
  // "no builtin options" to a writer.
  std::shared_ptr<const FormatOptions> format_options;
  // Custom options as stored (flexbuffer), a view into the model's bytes.
  const uint8_t* custom_options = nullptr;
  size_t custom_options_size = 0;
  std::vector<int> inputs;   // tensor indices; -1 for an omitted optional input
  std::vector<int> outputs;
  std::vector<int> intermediates;
};

struct Subgraph {
  std::string name;
  std::vector<TensorInfo> tensors;
  std::vector<Node> nodes;  // in execution order (validated: every input produced before use)
  std::vector<int> inputs;
  std::vector<int> outputs;
};

struct SignatureTensor {
  std::string name;
  int tensor_index = -1;
};
struct SignatureDef {
  std::string key;
  int subgraph_index = 0;
  std::vector<SignatureTensor> inputs;
  std::vector<SignatureTensor> outputs;
};

struct Metadata {
  std::string name;
  int buffer = 0;
  const uint8_t* data = nullptr;
  size_t bytes = 0;
};

struct Graph {
  uint32_t version = 3;
  std::string description;
  std::vector<Subgraph> subgraphs;  // [0] is the main graph
  std::vector<SignatureDef> signatures;
  std::vector<Metadata> metadata;
};

}  // namespace lithe
