// A node's builtin options in the TFLite format's own object form (flatbuffers object API), kept
// by the reader so that the writer emits them exactly as the file had them: every field of
// every option table, including those lithe does not interpret.
//
//   auto fo = std::make_shared<lithe::FormatOptions>();
//   fo->builtin.Set(::tflite::Conv2DOptionsT{});   // or UnPack from a file's Operator
//   node.format_options = fo;
#pragma once

#include "lithe/graph.h"
#include "tflite_generated.h"

namespace lithe {

struct FormatOptions {
  // type NONE: the op has no builtin options. A type this schema does not know has value null;
  // the writer refuses it rather than dropping the options.
  ::tflite::BuiltinOptionsUnion builtin;
};

}  // namespace lithe
