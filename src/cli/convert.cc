// lithe convert MODEL.onnx -o OUT.tflite [--nhwc]
// lithe convert --list-ops
// lithe convert MODEL.tflite -o OUT.tflite   (read and written back by lithe's writer)
#include <iostream>
#include <map>

#include "cli/cli.h"
#include "convert/onnx_import.h"
#include "format/file_util.h"
#include "format/tflite_writer.h"
#include "lithe/interpreter.h"
#include "lithe/model.h"

namespace lithe::cli {

namespace {

void ListOps() {
  std::cout << "ONNX op types lithe convert claims (opsets " << convert::kMinOnnxOpset << " to "
            << convert::kMaxOnnxOpset << ", float32):\n";
  for (const std::string& op : convert::SupportedOnnxOps()) std::cout << "  " << op << "\n";
}

std::string ShapeText(const std::vector<int32_t>& s) { return JsonShape(s); }

}  // namespace

int Convert(const std::vector<std::string>& args) {
  std::string in, out;
  convert::OnnxConvertOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--list-ops") {
      ListOps();
      return 0;
    } else if (a == "-o" || a == "--output") {
      if (i + 1 >= args.size()) return Fail("convert: -o needs a file name");
      out = args[++i];
    } else if (a == "--nhwc") {
      options.nhwc_io = true;
    } else if (!a.empty() && a[0] == '-') {
      return Fail("convert: unknown option " + a);
    } else if (in.empty()) {
      in = a;
    } else {
      return Fail("convert: more than one input model given");
    }
  }
  if (in.empty() || out.empty())
    return Fail("convert: usage: lithe convert MODEL.onnx -o OUT.tflite [--nhwc] | --list-ops");

  // A .tflite input is read and written back (lithe's writer; the same model, re-serialized).
  const bool from_tflite = in.size() >= 7 && in.compare(in.size() - 7, 7, ".tflite") == 0;
  Result<std::vector<uint8_t>> bytes = Status::Error("");
  if (from_tflite) {
    auto m = Model::FromFile(in);
    if (!m.ok()) return Fail("convert: " + m.status().message());
    bytes = WriteTflite((*m)->graph());
  } else {
    bytes = convert::ConvertOnnxFile(in, options);
  }
  if (!bytes.ok()) return Fail("convert: " + bytes.status().message());

  // What lithe writes, lithe must run: load it and plan it before writing.
  auto model = Model::FromBuffer(bytes->data(), bytes->size());
  if (!model.ok()) return Fail("convert: internal error, the written model does not load: " + model.status().message());
  auto interp = Interpreter::Create(*model);
  if (!interp.ok()) return Fail("convert: " + interp.status().message());
  if (Status s = (*interp)->AllocateTensors(); !s.ok())
    return Fail("convert: the converted model does not run in lithe: " + s.message());

  if (Status s = WriteFileAtomic(out, bytes->data(), bytes->size()); !s.ok())
    return Fail("convert: " + s.message());

  std::map<std::string, int> ops;
  for (const NodeDetails& n : (*interp)->node_details()) ops[n.op_name]++;
  std::cout << "wrote " << out << " (" << bytes->size() << " bytes)\n";
  for (int i = 0; i < (*interp)->num_inputs(); ++i) {
    const TensorDetails d = (*interp)->input_details(i);
    std::cout << "  input  " << d.name << " " << ShapeText(d.shape) << " " << DTypeName(d.type)
              << (options.nhwc_io && d.shape.size() == 4 ? " (NHWC)" : "") << "\n";
  }
  for (int i = 0; i < (*interp)->num_outputs(); ++i) {
    const TensorDetails d = (*interp)->output_details(i);
    std::cout << "  output " << d.name << " " << ShapeText(d.shape) << " float32\n";
  }
  std::cout << "  ops   ";
  for (const auto& [name, count] : ops) std::cout << " " << name << "×" << count;
  std::cout << "\n";
  return 0;
}

}  // namespace lithe::cli
