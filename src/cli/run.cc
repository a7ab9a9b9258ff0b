// lithe run MODEL -o DIR [-i INDEX_OR_NAME=FILE.npy]... [--random-seed N] [--threads N] [--backend B]
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/cli.h"
#include "cli/runtime_flags.h"
#include "format/npy.h"
#include "lithe/interpreter.h"
#include "lithe/model.h"
#include "lithe/random.h"

namespace lithe::cli {

int Run(const std::vector<std::string>& args) {
  std::string path, out_dir;
  std::vector<std::pair<std::string, std::string>> given;  // (index or name, file)
  long long seed = -1;
  InterpreterOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string flag_error;
    if (ParseRuntimeFlag(args, &i, &options, &flag_error)) {
      if (!flag_error.empty()) return Fail("run: " + flag_error);
      continue;
    }
    auto value = [&](const char* what) -> const std::string* {
      if (i + 1 >= args.size()) return nullptr;
      (void)what;
      return &args[++i];
    };
    if (a == "-o" || a == "--output") {
      const std::string* v = value("DIR");
      if (v == nullptr) return Fail("run: -o needs a directory");
      out_dir = *v;
    } else if (a == "-i" || a == "--input") {
      const std::string* v = value("INPUT=FILE");
      const size_t eq = v == nullptr ? std::string::npos : v->find('=');
      if (eq == std::string::npos) return Fail("run: -i takes INDEX_OR_NAME=FILE.npy");
      given.emplace_back(v->substr(0, eq), v->substr(eq + 1));
    } else if (a == "--random-seed") {
      const std::string* v = value("N");
      if (v == nullptr || !ParseInt(*v, &seed) || seed < 0) return Fail("run: --random-seed takes a non-negative integer");
    } else if (!a.empty() && a[0] == '-') {
      return Fail("run: unknown option " + a);
    } else if (path.empty()) {
      path = a;
    } else {
      return Fail("run: more than one model given");
    }
  }
  if (path.empty() || out_dir.empty())
    return Fail("run: usage: lithe run MODEL -o DIR [-i INDEX_OR_NAME=FILE.npy]... [--random-seed N]");

  auto model = Model::FromFile(path);
  if (!model.ok()) return Fail(model.status().message());
  auto interp_or = Interpreter::Create(*model, options);
  if (!interp_or.ok()) return Fail(interp_or.status().message());
  Interpreter& interp = **interp_or;

  // Resolve -i arguments to input indices and load them.
  std::map<int, NpyArray> arrays;
  for (const auto& [key, file] : given) {
    long long idx = -1;
    int input = ParseInt(key, &idx) ? static_cast<int>(idx) : interp.FindInput(key);
    if (input < 0 || input >= interp.num_inputs())
      return Fail("run: no input '" + key + "' (model has " + std::to_string(interp.num_inputs()) + " inputs)");
    auto a = ReadNpy(file);
    if (!a.ok()) return Fail(a.status().message());
    const TensorDetails d = interp.input_details(input);
    if (a->type != d.type)
      return Fail("run: input " + std::to_string(input) + " ('" + d.name + "') expects " + DTypeName(d.type) +
                  ", " + file + " holds " + DTypeName(a->type));
    if (a->shape != d.shape) {
      // Only dims the model marks dynamic (-1 in its shape signature) may differ.
      bool fits = a->shape.size() == d.shape_signature.size();
      for (size_t k = 0; fits && k < a->shape.size(); ++k)
        fits = d.shape_signature[k] == -1 || d.shape_signature[k] == a->shape[k];
      if (!fits || !interp.ResizeInput(input, a->shape).ok())
        return Fail("run: input " + std::to_string(input) + " ('" + d.name + "') expects shape " +
                    JsonShape(d.shape_signature) + ", " + file + " has " + JsonShape(a->shape));
    }
    arrays[input] = std::move(a).value();
  }
  for (int i = 0; i < interp.num_inputs(); ++i) {
    if (arrays.count(i) || seed >= 0) continue;
    return Fail("run: input " + std::to_string(i) + " ('" + interp.input_details(i).name +
                "') not given (use -i " + std::to_string(i) + "=FILE.npy or --random-seed N)");
  }
  Status s = interp.AllocateTensors();
  if (!s.ok()) return Fail(s.message());
  for (int i = 0; i < interp.num_inputs(); ++i) {
    const TensorDetails d = interp.input_details(i);
    std::vector<uint8_t> data;
    if (arrays.count(i)) {
      data = std::move(arrays[i].data);
    } else {
      int64_t n = 1;
      for (int32_t x : d.shape) n *= x;
      data = RandomTensorData(d.type, n, static_cast<uint64_t>(seed) + static_cast<uint64_t>(i));
    }
    s = interp.SetInput(i, data.data(), data.size());
    if (!s.ok()) return Fail(s.message());
  }
  s = interp.Invoke();
  if (!s.ok()) return Fail(s.message());

  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return Fail("run: cannot create " + out_dir + ": " + ec.message());
  std::string json = "{\n  \"model\": " + JsonString(path) + ",\n  \"outputs\": [";
  for (int k = 0; k < interp.num_outputs(); ++k) {
    const TensorDetails d = interp.output_details(k);
    const Tensor* t = interp.tensor(d.index);
    const std::string file = "output_" + std::to_string(k) + ".npy";
    s = WriteNpy(out_dir + "/" + file, d.type, d.shape, t->data, t->bytes);
    if (!s.ok()) return Fail(s.message());
    json += std::string(k ? "," : "") + "\n    {\"index\": " + std::to_string(k) + ", \"name\": " + JsonString(d.name) +
            ", \"file\": " + JsonString(file) + ", \"shape\": " + JsonShape(d.shape) +
            ", \"dtype\": " + JsonString(DTypeName(d.type)) + "}";
  }
  json += "\n  ]\n}\n";
  std::ofstream f(out_dir + "/outputs.json");
  f << json;
  if (!f) return Fail("run: cannot write " + out_dir + "/outputs.json");
  std::cout << "wrote " << interp.num_outputs() << " outputs to " << out_dir << "\n";
  return 0;
}

}  // namespace lithe::cli
