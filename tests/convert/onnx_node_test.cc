// ONNX's own backend node tests (Debian's libonnx-testdata: data/node/test_*/model.onnx with
// test_data_set_N/{input_k,output_k}.pb) through the importer and lithe's interpreter.
//
// A case runs when every node's op type is one the importer claims (SupportedOnnxOps()) and its
// opset is in the claimed range; its outputs must match ONNX's expected outputs within
// |got - want| <= atol + rtol * |want|, rtol = 1e-3 (ONNX's backend runner's default) and
// atol = 1e-5. ONNX's runner uses atol = 1e-7, but its expected values come from numpy,
// often computed in float64; float32 kernels that sum in another order (NHWC convolutions,
// reductions) differ by about eps * sum|terms| ~ 1e-7 * magnitude, which for an output that
// cancels to near 0 is all absolute error: 1e-5 allows that for sums of up to ~100 unit terms
// and still catches any real error in an output of magnitude >= 1e-2.
//
// Each converted file is also run in TensorFlow Lite 2.9 (the npm C library): where TFLite can
// run it, its outputs must match ONNX's expected outputs by the same rule; where it cannot (an op
// or op version 2.9 lacks), the case says so.
//
// Parameters. The node tests pass weights, shapes, pads, scales and clip bounds as graph inputs;
// in exported models they are constants, and lithe's converted models take float32 data
// inputs only. So, per data set, a graph input that is not float32, or that the converter says
// "must be a constant", becomes an initializer holding that data set's value, and the model is
// converted again (the detail column names what was frozen).
//
// A case whose data inputs or outputs are still not float32 is skipped only if the converter
// itself says the dtype is unsupported. Features lithe does not support (cubic resize,
// training-mode outputs, 3-D windows, ...) are listed in kUnsupported with the error the
// converter must give; such a case counts as "refused as expected" — if it ever converts, or is
// refused for another reason, it fails. Any other conversion error is a failure. Each case runs
// in a child process, so a crash or hang (60 s) is reported as that case's failure.
//
// LITHE_ONNX_NODE_FILTER=substring runs only the matching cases; LITHE_ONNX_NODE_DATA overrides
// the data folder.
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <gtest/gtest.h>

#include "convert/onnx_import.h"
#include "convert/onnx_test_util.h"
#include "lithe/interpreter.h"
#include "lithe/model.h"
#include "oracle/tflite_oracle.h"

namespace lithe::testing {
namespace {

constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-5;

std::string DataDir() {
  const char* d = std::getenv("LITHE_ONNX_NODE_DATA");
  return d != nullptr ? d : "/usr/share/libonnx-testdata/data/node";
}

std::vector<std::string> ListDirs(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n.rfind(prefix, 0) == 0) out.push_back(n);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool FileExists(const std::string& p) { return access(p.c_str(), R_OK) == 0; }

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::Error("cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Outcome {
  char status = 'F';  // P(ass), F(ail), S(kip)
  std::string reason;
};

std::string ShapeString(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

// Compares one output; "" when it matches.
std::string CompareOutput(const std::vector<double>& got, const OnnxTensor& want) {
  if (got.size() != want.values.size())
    return std::to_string(got.size()) + " values, expected " + std::to_string(want.values.size());
  size_t bad = 0, first = 0;
  double max_diff = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double a = got[i], b = want.values[i];
    bool ok;
    if (std::isnan(b) || std::isnan(a)) ok = std::isnan(a) && std::isnan(b);
    else if (std::isinf(b) || std::isinf(a)) ok = a == b;
    else {
      max_diff = std::max(max_diff, std::fabs(a - b));
      ok = std::fabs(a - b) <= kAtol + kRtol * std::fabs(b);
    }
    if (!ok && bad++ == 0) first = i;
  }
  if (bad == 0) return "";
  std::ostringstream m;
  m << bad << " of " << got.size() << " values differ, first at " << first << ": " << got[first] << " vs expected "
    << want.values[first] << " (max|diff| " << max_diff << ")";
  return m.str();
}

// Features the importer refuses on purpose: (case name part, what its error must say).
const std::vector<std::pair<std::string, std::string>> kUnsupported = {
    {"cubic", "mode 'cubic' is not supported"},
    {"tf_crop_and_resize", "tf_crop_and_resize is not supported"},
    {"training_mode", "is not supported"},          // BatchNormalization's running statistics
    {"training_dropout", "not supported"},          // training-mode Dropout or its mask
    {"dropout_default_mask", "output 1 ('z') is not supported"},
    {"with_argmax", "output 1 ('z') is not supported"},
    {"maxpool_2d_dilations", "dilations [2,2] are not supported"},
    {"pool_3d", "only 2-D pooling"},
    {"convtranspose_3d", "only 2-D transposed convolution"},
    {"identity_opt", "is not a tensor"},
    {"identity_sequence", "is not a tensor"},
    {"edge_pad", "mode 'edge' is not supported"},
    {"reflect_pad", "mode 'reflect' is not supported"},
};

const std::pair<std::string, std::string>* ExpectedRefusal(const std::string& case_name) {
  for (const auto& u : kUnsupported)
    if (case_name.find(u.first) != std::string::npos) return &u;
  return nullptr;
}

// The data inputs of the graph (inputs that are not initializers), in order.
std::vector<std::string> DataInputs(const onnx::ModelProto& m) {
  std::set<std::string> init;
  for (const auto& t : m.graph().initializer()) init.insert(t.name());
  std::vector<std::string> names;
  for (const auto& v : m.graph().input())
    if (!init.count(v.name())) names.push_back(v.name());
  return names;
}

// Makes graph input `name` an initializer holding `value`.
void Freeze(onnx::ModelProto* m, const std::string& name, onnx::TensorProto value) {
  auto* inputs = m->mutable_graph()->mutable_input();
  for (int i = 0; i < inputs->size(); ++i)
    if (inputs->Get(i).name() == name) {
      inputs->DeleteSubrange(i, 1);
      break;
    }
  value.set_name(name);
  *m->mutable_graph()->add_initializer() = std::move(value);
}

// The input named in "input 'X' must be a constant", or "".
std::string MustBeConstant(const std::string& msg) {
  const std::string key = "input '";
  for (size_t at = msg.find(key); at != std::string::npos; at = msg.find(key, at + 1)) {
    const size_t end = msg.find('\'', at + key.size());
    if (end == std::string::npos) break;
    if (msg.compare(end, 22, "' must be a constant (") == 0) return msg.substr(at + key.size(), end - at - key.size());
  }
  return "";
}

Outcome RunDataSet(const std::vector<uint8_t>& tflite, const std::string& sd, const std::string& set,
                   const std::set<size_t>& frozen);

Outcome RunCase(const std::string& dir) {
  const std::string case_name = dir.substr(dir.rfind('/') + 1);
  const auto* refusal = ExpectedRefusal(case_name);
  auto bytes = ReadFile(dir + "/model.onnx");
  if (!bytes.ok()) return {'F', bytes.status().message()};
  onnx::ModelProto original;
  if (!original.ParseFromString(*bytes)) return {'F', "model.onnx does not parse"};
  std::vector<std::string> sets = ListDirs(dir, "test_data_set_");
  std::sort(sets.begin(), sets.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;  // test_data_set_10 after _9
  });
  if (sets.empty()) return {'F', "no test_data_set_* folder"};
  std::string frozen_note, tflite_note;
  for (const std::string& set : sets) {
    const std::string sd = dir + "/" + set;
    const std::vector<std::string> data_inputs = DataInputs(original);
    std::map<std::string, onnx::TensorProto> given;  // graph input name -> this set's value
    for (size_t k = 0; k < data_inputs.size(); ++k) {
      const std::string f = sd + "/input_" + std::to_string(k) + ".pb";
      if (!FileExists(f)) continue;  // an optional input the set leaves out
      auto t = ParseTensorProtoFile(f);
      if (!t.ok()) return {'F', t.status().message()};
      given[data_inputs[k]] = std::move(*t);
    }
    onnx::ModelProto proto = original;
    std::set<std::string> frozen;
    for (const auto& v : original.graph().input())
      if (v.type().has_tensor_type() && given.count(v.name()) &&
          given[v.name()].data_type() != onnx::TensorProto::FLOAT) {
        Freeze(&proto, v.name(), given[v.name()]);
        frozen.insert(v.name());
      }
    Result<std::vector<uint8_t>> tflite = Status::Error("not converted");
    for (size_t attempt = 0; attempt <= data_inputs.size(); ++attempt) {
      const std::string serialized = proto.SerializeAsString();
      tflite = convert::ConvertOnnx(reinterpret_cast<const uint8_t*>(serialized.data()), serialized.size());
      if (tflite.ok()) break;
      const std::string name = MustBeConstant(tflite.status().message());
      if (name.empty() || !given.count(name) || frozen.count(name)) break;
      Freeze(&proto, name, given[name]);
      frozen.insert(name);
    }
    if (!frozen.empty() && frozen_note.empty()) {
      frozen_note = "; frozen:";
      for (const std::string& f : frozen) frozen_note += " " + f;
    }
    if (refusal) {
      if (tflite.ok()) return {'F', "converted, but kUnsupported expects a refusal (" + refusal->second + "): update the list"};
      if (tflite.status().message().find(refusal->second) == std::string::npos)
        return {'F', "refused, but not with \"" + refusal->second + "\": " + tflite.status().message()};
      return {'U', tflite.status().message()};
    }
    if (!tflite.ok()) {
      // Skipped only when the converter itself refuses a non-float32 dtype.
      std::string other;
      for (const auto& v : proto.graph().input()) {
        const int et = v.type().tensor_type().elem_type();
        if (et != onnx::TensorProto::FLOAT && other.empty()) other = OnnxDTypeName(et);
      }
      for (const auto& v : proto.graph().output()) {
        const int et = v.type().tensor_type().elem_type();
        if (et != onnx::TensorProto::FLOAT && other.empty()) other = OnnxDTypeName(et);
      }
      for (const auto& [name, t] : given)
        if (t.data_type() != onnx::TensorProto::FLOAT && other.empty()) other = OnnxDTypeName(t.data_type());
      const std::string& msg = tflite.status().message();
      const bool says_dtype = msg.find("dtype") != std::string::npos &&
                              (msg.find("unsupported") != std::string::npos || msg.find("not supported") != std::string::npos);
      if (!other.empty() && says_dtype) return {'S', "dtype " + other + " not supported (" + msg + ")"};
      return {'F', "convert: " + msg};
    }
    std::set<size_t> frozen_pos;
    for (size_t k = 0; k < data_inputs.size(); ++k)
      if (frozen.count(data_inputs[k])) frozen_pos.insert(k);
    Outcome o = RunDataSet(*tflite, sd, set, frozen_pos);
    if (o.status != 'P') return o;
    tflite_note = o.reason;
  }
  return {'P', std::to_string(sets.size()) + " data set(s); " + tflite_note + frozen_note};
}

// Runs one data set through a converted model; the frozen inputs are not fed.
Outcome RunDataSet(const std::vector<uint8_t>& tflite, const std::string& sd, const std::string& set,
                   const std::set<size_t>& frozen) {
  auto model = Model::FromBuffer(tflite.data(), tflite.size());
  if (!model.ok()) return {'F', "converted model does not load: " + model.status().message()};
  auto interp_or = Interpreter::Create(*model);
  if (!interp_or.ok()) return {'F', "interpreter: " + interp_or.status().message()};
  Interpreter& interp = **interp_or;
  {
    std::vector<OnnxTensor> inputs, outputs;
    for (int k = 0; FileExists(sd + "/input_" + std::to_string(k) + ".pb"); ++k) {
      auto t = ReadTensorProtoFile(sd + "/input_" + std::to_string(k) + ".pb");
      if (!t.ok()) return {'F', t.status().message()};
      if (frozen.count(static_cast<size_t>(k))) continue;  // made a constant of the model
      inputs.push_back(std::move(*t));
    }
    for (int k = 0; FileExists(sd + "/output_" + std::to_string(k) + ".pb"); ++k) {
      auto t = ReadTensorProtoFile(sd + "/output_" + std::to_string(k) + ".pb");
      if (!t.ok()) return {'F', t.status().message()};
      outputs.push_back(std::move(*t));
    }
    if (static_cast<int>(inputs.size()) != interp.num_inputs())
      return {'F', set + ": converted model has " + std::to_string(interp.num_inputs()) + " inputs, the case gives " +
                       std::to_string(inputs.size())};
    if (static_cast<int>(outputs.size()) != interp.num_outputs())
      return {'F', set + ": converted model has " + std::to_string(interp.num_outputs()) +
                       " outputs, the case expects " + std::to_string(outputs.size())};
    // By name when the converted model kept all of ONNX's names, else by position.
    auto map = [](const std::vector<OnnxTensor>& ts, const std::function<int(const std::string&)>& find) {
      std::vector<int> index;
      std::set<int> seen;
      for (const OnnxTensor& t : ts) {
        const int i = find(t.name);
        if (i < 0 || !seen.insert(i).second) break;
        index.push_back(i);
      }
      if (index.size() != ts.size()) {
        index.clear();
        for (size_t k = 0; k < ts.size(); ++k) index.push_back(static_cast<int>(k));
      }
      return index;
    };
    const std::vector<int> in_index = map(inputs, [&](const std::string& n) { return interp.FindInput(n); });
    const std::vector<int> out_index = map(outputs, [&](const std::string& n) { return interp.FindOutput(n); });
    for (size_t k = 0; k < inputs.size(); ++k) {
      std::vector<int32_t> shape(inputs[k].dims.begin(), inputs[k].dims.end());
      if (interp.input_details(in_index[k]).shape != shape) {
        Status s = interp.ResizeInput(in_index[k], shape);
        if (!s.ok()) return {'F', set + ": resize input " + inputs[k].name + ": " + s.message()};
      }
    }
    Status s = interp.AllocateTensors();
    if (!s.ok()) return {'F', set + ": AllocateTensors: " + s.message()};
    for (size_t k = 0; k < inputs.size(); ++k) {
      const TensorDetails d = interp.input_details(in_index[k]);
      auto b = ValuesToBytes(inputs[k].values, d.type);
      if (!b.ok()) return {'F', set + ": input " + inputs[k].name + ": " + b.status().message()};
      s = interp.SetInput(in_index[k], b->data(), b->size());
      if (!s.ok()) return {'F', set + ": input " + inputs[k].name + ": " + s.message()};
    }
    s = interp.Invoke();
    if (!s.ok()) return {'F', set + ": Invoke: " + s.message()};
    for (size_t k = 0; k < outputs.size(); ++k) {
      const TensorDetails d = interp.output_details(out_index[k]);
      const std::string where = set + ": output " + std::to_string(k) + " ('" + outputs[k].name + "')";
      const std::vector<int64_t> got_shape(d.shape.begin(), d.shape.end());
      if (got_shape != outputs[k].dims)
        return {'F', where + ": shape " + ShapeString(got_shape) + ", expected " + ShapeString(outputs[k].dims)};
      const DType want_type = OnnxToLitheDType(outputs[k].elem_type);
      if (d.type != want_type)
        return {'F', where + ": dtype " + DTypeName(d.type) + ", expected " + OnnxDTypeName(outputs[k].elem_type)};
      const Tensor* t = interp.tensor(d.index);
      auto got = BytesToValues(t->data, t->bytes, d.type);
      if (!got.ok()) return {'F', where + ": " + got.status().message()};
      const std::string diff = CompareOutput(*got, outputs[k]);
      if (!diff.empty()) return {'F', where + ": " + diff};
    }
    // The same file in TensorFlow Lite 2.9: where it runs it, it must agree with ONNX too.
    auto oracle = TfliteOracle::Load();
    if (!oracle.ok()) return {'F', "TFLite 2.9: " + oracle.status().message()};
    std::vector<OracleTensor> feed(interp.num_inputs());
    for (size_t k = 0; k < inputs.size(); ++k) {
      const TensorDetails d = interp.input_details(in_index[k]);
      feed[in_index[k]].type = d.type;
      feed[in_index[k]].shape = d.shape;
      auto b = ValuesToBytes(inputs[k].values, d.type);
      if (!b.ok()) return {'F', b.status().message()};
      feed[in_index[k]].data = std::move(*b);
    }
    auto ref = (*oracle)->Run(tflite, feed);
    if (!ref.ok()) return {'P', "TFLite 2.9 cannot run the file: " + ref.status().message()};
    for (size_t k = 0; k < outputs.size(); ++k) {
      const OracleTensor& r = (*ref)[out_index[k]];
      auto got = BytesToValues(r.data.data(), r.data.size(), r.type);
      if (!got.ok()) return {'F', "TFLite 2.9 output: " + got.status().message()};
      const std::string diff = CompareOutput(*got, outputs[k]);
      if (!diff.empty()) return {'F', set + ": TFLite 2.9 on lithe's file, output " + std::to_string(k) + ": " + diff};
    }
  }
  return {'P', "TFLite 2.9 agrees"};
}

// RunCase in a child process: a crash, abort or hang fails the case, not the whole run.
Outcome RunCaseIsolated(const std::string& dir) {
  int fds[2];
  if (pipe(fds) != 0) return {'F', "pipe failed"};
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) return {'F', "fork failed"};
  if (pid == 0) {
    close(fds[0]);
    alarm(60);
    const Outcome o = RunCase(dir);
    const std::string msg = std::string(1, o.status) + o.reason;
    size_t done = 0;
    while (done < msg.size()) {
      const ssize_t n = write(fds[1], msg.data() + done, msg.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string msg;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;) msg.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status))
    return {'F', WTERMSIG(status) == SIGALRM ? "hung (no result in 60 s)"
                                             : "crashed (signal " + std::to_string(WTERMSIG(status)) + ")"};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || msg.empty())
    return {'F', "child exited with status " + std::to_string(WEXITSTATUS(status)) + " without a result"};
  return {msg[0], msg.substr(1)};
}

TEST(OnnxNodeTests, ClaimedCasesMatchOnnxExpectedOutputs) {
  const std::vector<std::string> claimed_list = convert::SupportedOnnxOps();
  ASSERT_FALSE(claimed_list.empty()) << "importer claims no ops (SupportedOnnxOps() is empty): no ONNX node test "
                                        "case can run, so nothing about the importer is tested";
  const std::set<std::string> claimed(claimed_list.begin(), claimed_list.end());
  const char* filter_env = std::getenv("LITHE_ONNX_NODE_FILTER");
  const std::string filter = filter_env != nullptr ? filter_env : "";
  const std::vector<std::string> cases = ListDirs(DataDir(), "test_");
  ASSERT_FALSE(cases.empty()) << "no test cases in " << DataDir() << " (apt-get install libonnx-testdata)";

  struct OpTally {
    int pass = 0, fail = 0, skip = 0;
  };
  std::map<std::string, OpTally> per_op;
  std::map<std::string, int> unclaimed_ops;  // op type -> cases it kept from running
  std::vector<std::string> failures;
  int run = 0, pass = 0, fail = 0, skip = 0, unclaimed = 0, refused = 0, unsupported = 0;
  int tflite_agrees = 0, tflite_cannot = 0;
  std::printf("%-58s %-11s %s\n", "case", "", "detail");
  for (const std::string& c : cases) {
    if (!filter.empty() && c.find(filter) == std::string::npos) continue;
    const std::string dir = DataDir() + "/" + c;
    auto bytes = ReadFile(dir + "/model.onnx");
    onnx::ModelProto proto;
    if (!bytes.ok() || !proto.ParseFromString(*bytes)) continue;  // not a node case
    std::set<std::string> ops, missing;
    for (const auto& n : proto.graph().node()) {
      const bool default_domain = n.domain().empty() || n.domain() == "ai.onnx";
      const std::string op = default_domain ? n.op_type() : n.domain() + "." + n.op_type();
      ops.insert(op);
      if (!default_domain || !claimed.count(n.op_type())) missing.insert(op);
    }
    if (!missing.empty() || ops.empty()) {
      ++unclaimed;
      for (const std::string& m : missing) ++unclaimed_ops[m];
      continue;
    }
    int64_t opset = -1;
    for (const auto& o : proto.opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx") opset = o.version();
    Outcome o;
    if (opset < convert::kMinOnnxOpset || opset > convert::kMaxOnnxOpset) {
      o = {'S', "opset " + std::to_string(opset) + " outside the claimed range [" +
                    std::to_string(convert::kMinOnnxOpset) + ", " + std::to_string(convert::kMaxOnnxOpset) + "]"};
    } else {
      o = RunCaseIsolated(dir);
      ++run;
    }
    const char* label = o.status == 'P' ? "PASS" : o.status == 'S' ? "SKIP" : o.status == 'U' ? "UNSUPPORTED" : "FAIL";
    std::printf("%-58s %-11s %s\n", c.c_str(), label, o.reason.c_str());
    for (const std::string& op : ops) {
      OpTally& t = per_op[op];
      (o.status == 'P' ? t.pass : (o.status == 'S' || o.status == 'U') ? t.skip : t.fail)++;
    }
    if (o.status == 'P') {
      if (o.reason.find("TFLite 2.9 agrees") != std::string::npos) ++tflite_agrees;
      else ++tflite_cannot;
    }
    if (o.status == 'P') ++pass;
    else if (o.status == 'S') ++skip;
    else if (o.status == 'U') ++unsupported;
    else {
      ++fail;
      if (o.reason.rfind("convert: ", 0) == 0) ++refused;
      failures.push_back(c + ": " + o.reason);
    }
  }
  std::printf("\nper op type (cases using it):\n");
  for (const auto& [op, t] : per_op)
    std::printf("  %-28s pass %3d  fail %3d  skip %3d\n", op.c_str(), t.pass, t.fail, t.skip);
  std::printf("\nnot run (an op type the importer does not claim): %d cases; most frequent:", unclaimed);
  std::vector<std::pair<int, std::string>> top;
  for (const auto& [op, n] : unclaimed_ops) top.push_back({-n, op});
  std::sort(top.begin(), top.end());
  for (size_t i = 0; i < top.size() && i < 15; ++i) std::printf(" %s(%d)", top[i].second.c_str(), -top[i].first);
  std::printf("\nclaimed ops %zu; cases: %d pass, %d fail (%d refused by the converter, %d wrong or broken), "
              "%d skip (dtype), %d unsupported feature refused as expected (kUnsupported)\n",
              claimed.size(), pass, fail, refused, fail - refused, skip, unsupported);
  std::printf("of the passing cases, TensorFlow Lite 2.9 runs lithe's file and agrees with ONNX on %d; "
              "it cannot run %d (an op or version it lacks)\n", tflite_agrees, tflite_cannot);
  std::fflush(stdout);

  EXPECT_GT(pass + fail + skip, 0) << "no case uses only claimed ops" << (filter.empty() ? "" : " (filter '" + filter + "')");
  EXPECT_GT(run, 0) << "every claimed case was skipped";
  std::string list;
  for (const std::string& f : failures) list += "\n  " + f;
  EXPECT_EQ(fail, 0) << fail << " claimed case(s) failed:" << list;
}

}  // namespace
}  // namespace lithe::testing
