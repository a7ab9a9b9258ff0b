// Writes a Graph as a TensorFlow Lite flatbuffer (schema version 3, identifier "TFL3").
//
//   auto model = lithe::Model::FromFile("in.tflite");
//   lithe::Status s = lithe::WriteTfliteFile((*model)->graph(), "out.tflite");
//
// Reading a file then writing its Graph keeps what the file said: tensors (names, shapes, shape
// signatures, dtypes, quantization, sparsity, variables, constant data), buffer indices, ops
// with their codes, versions, builtin options (Node::format_options, as stored) and custom
// options, subgraphs, signature defs, metadata, description and version. Operator codes are
// listed in first-use order; buffers no tensor or metadata entry refers to are written empty.
// Writing the same Graph twice gives the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lithe/graph.h"
#include "lithe/status.h"

namespace lithe {

// A constant tensor or metadata entry whose buffer index is 0 (a Graph not read from a file)
// gets a new buffer at the end. Fails when two tensors claim one buffer with different data,
// when a node's builtin options have a type this schema does not know, or when the model would
// exceed the flatbuffer limit of 2 GiB.
Result<std::vector<uint8_t>> WriteTflite(const Graph& g);

// WriteTflite, then WriteFileAtomic: on failure `path` is left as it was.
Status WriteTfliteFile(const Graph& g, const std::string& path);

}  // namespace lithe
