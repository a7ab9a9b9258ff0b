#include "models/model_test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "format/npy.h"
#include "lithe/interpreter.h"
#include "lithe/model.h"
#include "lithe/random.h"

namespace lithe::testing {

Result<std::vector<OracleTensor>> RandomInputs(const std::string& model_path, uint64_t seed) {
  auto model = Model::FromFile(model_path);
  if (!model.ok()) return model.status();
  auto interp = Interpreter::Create(*model);
  if (!interp.ok()) return interp.status();
  std::vector<OracleTensor> inputs;
  for (int i = 0; i < (*interp)->num_inputs(); ++i) {
    const TensorDetails d = (*interp)->input_details(i);
    int64_t n = 1;
    for (int32_t x : d.shape) n *= x;
    inputs.push_back({d.type, d.shape, RandomTensorData(d.type, n, seed + static_cast<uint64_t>(i))});
  }
  return inputs;
}

Result<std::vector<OracleTensor>> RunLithe(const std::string& model_path, const std::vector<OracleTensor>& inputs,
                                           int threads) {
  auto model = Model::FromFile(model_path);
  if (!model.ok()) return model.status();
  return RunLithe(*model, inputs, threads);
}

BackendChoice TestBackend() {
  const char* env = std::getenv("LITHE_TEST_BACKEND");
  if (env == nullptr || *env == '\0') return BackendChoice::kAuto;
  auto b = ParseBackendChoice(env);
  return b.ok() ? *b : BackendChoice::kAuto;
}

Result<std::vector<OracleTensor>> RunLithe(std::shared_ptr<const Model> model, const std::vector<OracleTensor>& inputs,
                                           int threads) {
  InterpreterOptions options;
  options.num_threads = threads;
  options.backend = TestBackend();
  auto interp_or = Interpreter::Create(std::move(model), options);
  if (!interp_or.ok()) return interp_or.status();
  Interpreter& interp = **interp_or;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].shape != interp.input_details(static_cast<int>(i)).shape)
      LITHE_RETURN_IF_ERROR(interp.ResizeInput(static_cast<int>(i), inputs[i].shape));
  LITHE_RETURN_IF_ERROR(interp.AllocateTensors());
  for (size_t i = 0; i < inputs.size(); ++i)
    LITHE_RETURN_IF_ERROR(interp.SetInput(static_cast<int>(i), inputs[i].data.data(), inputs[i].data.size()));
  LITHE_RETURN_IF_ERROR(interp.Invoke());
  std::vector<OracleTensor> outs;
  for (int k = 0; k < interp.num_outputs(); ++k) {
    const TensorDetails d = interp.output_details(k);
    OracleTensor o{d.type, d.shape, std::vector<uint8_t>(interp.tensor(d.index)->bytes)};
    LITHE_RETURN_IF_ERROR(interp.GetOutput(k, o.data.data(), o.data.size()));
    outs.push_back(std::move(o));
  }
  return outs;
}

Result<std::vector<OracleTensor>> RunLiteRtJs(const std::string& model_path, const std::vector<OracleTensor>& inputs) {
  char tmpl[] = "/tmp/lithe-litertjs-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return Status::Error("mkdtemp failed");
  const std::string dir = tmpl;
  std::vector<std::string> argv_s = {"node", std::string(LITHE_SOURCE_DIR) + "/tests/oracle/litertjs/run.mjs",
                                     model_path, dir + "/out"};
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string p = dir + "/in_" + std::to_string(i) + ".npy";
    LITHE_RETURN_IF_ERROR(WriteNpy(p, inputs[i].type, inputs[i].shape, inputs[i].data.data(), inputs[i].data.size()));
    argv_s.push_back(p);
  }
  // fork/exec rather than system(): no shell quoting of paths.
  const pid_t pid = fork();
  if (pid < 0) return Status::Error("fork failed");
  if (pid == 0) {
    std::vector<char*> argv;
    for (std::string& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    execvp("node", argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Status::Error("LiteRT.js oracle failed (exit " + std::to_string(WEXITSTATUS(status)) + ")");
  std::vector<OracleTensor> outs;
  for (int k = 0;; ++k) {
    const std::string p = dir + "/out/output_" + std::to_string(k) + ".npy";
    if (access(p.c_str(), R_OK) != 0) break;
    auto a = ReadNpy(p);
    if (!a.ok()) return a.status();
    outs.push_back({a->type, a->shape, std::move(a->data)});
  }
  std::string rm = "rm -rf '" + dir + "'";
  if (std::system(rm.c_str()) != 0) {}
  if (outs.empty()) return Status::Error("LiteRT.js oracle wrote no outputs");
  return outs;
}

Comparison CompareOutputs(const OracleTensor& a, const OracleTensor& ref, double rel) {
  Comparison c;
  if (a.type != ref.type) {
    c.message = "dtype " + DTypeName(a.type) + " vs reference " + DTypeName(ref.type);
    return c;
  }
  if (a.shape != ref.shape) {
    c.message = "shape " + Shape::FromVector(a.shape).ToString() + " vs reference " + Shape::FromVector(ref.shape).ToString();
    return c;
  }
  if (a.type != DType::kFloat32 || a.data.size() != ref.data.size()) {
    c.ok = a.data == ref.data;
    c.message = c.ok ? "" : "non-float outputs differ";
    return c;
  }
  const size_t n = a.data.size() / 4;
  const float* x = reinterpret_cast<const float*>(a.data.data());
  const float* y = reinterpret_cast<const float*>(ref.data.data());
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(x[i]) != std::isnan(y[i])) {
      c.message = "NaN mismatch at element " + std::to_string(i);
      return c;
    }
    c.max_abs_ref = std::max(c.max_abs_ref, std::fabs(static_cast<double>(y[i])));
    c.max_abs_diff = std::max(c.max_abs_diff, std::fabs(static_cast<double>(x[i]) - y[i]));
  }
  c.ok = c.max_abs_diff <= rel * (c.max_abs_ref + 1);
  if (!c.ok)
    c.message = "max|diff| " + std::to_string(c.max_abs_diff) + " > " + std::to_string(rel) + " * (max|ref| " +
                std::to_string(c.max_abs_ref) + " + 1)";
  return c;
}

}  // namespace lithe::testing
