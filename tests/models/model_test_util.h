// Shared pieces of the real-model tests: running lithe on a model, running the oracles, and
// the comparison rule max|lithe - ref| <= 1e-4 * (max|ref| + 1).
#pragma once

#include <string>
#include <vector>

#include <memory>

#include "lithe/interpreter.h"
#include "lithe/model.h"
#include "lithe/status.h"
#include "oracle/tflite_oracle.h"

namespace lithe::testing {

// Seeded random inputs for every input of the model (RandomTensorData, seed + input index).
Result<std::vector<OracleTensor>> RandomInputs(const std::string& model_path, uint64_t seed);
// Runs lithe on the model with the inputs.
// The backend RunLithe uses: $LITHE_TEST_BACKEND (auto, ref or cpu), else auto. tests/CMakeLists
// runs the real-model and quantized-model tests once more with "ref", so both backends are held
// to the same rule.
BackendChoice TestBackend();

Result<std::vector<OracleTensor>> RunLithe(const std::string& model_path, const std::vector<OracleTensor>& inputs,
                                           int threads = 1);
Result<std::vector<OracleTensor>> RunLithe(std::shared_ptr<const Model> model, const std::vector<OracleTensor>& inputs,
                                           int threads = 1);
// Runs LiteRT.js (tests/oracle/litertjs/run.mjs under node) on the model with the inputs.
Result<std::vector<OracleTensor>> RunLiteRtJs(const std::string& model_path, const std::vector<OracleTensor>& inputs);

struct Comparison {
  bool ok = false;
  double max_abs_diff = 0;
  double max_abs_ref = 0;
  std::string message;  // what differed (shape, dtype, values)
};
// Float outputs: max|a - ref| <= rel * (max|ref| + 1). Shapes and dtypes must be equal.
Comparison CompareOutputs(const OracleTensor& a, const OracleTensor& ref, double rel = 1e-4);

}  // namespace lithe::testing
