// Float16 and sparse weights are decoded once, at AllocateTensors, never per Invoke: every
// DEQUANTIZE / DENSIFY of a constant is computed then ("const" in node_details), and the decoded
// float32 weights are exactly twice the float16 bytes.
#include <gtest/gtest.h>

#include "lithe/interpreter.h"
#include "lithe/model.h"
#include "models/model_test_util.h"

namespace lithe::testing {
namespace {

TEST(WeightsDecodedOnce, Float16DequantizeRunsAtAllocateNotInvoke) {
  auto model = Model::FromFile(ModelsDir() + "/face_detection_short_range.tflite");
  ASSERT_TRUE(model.ok()) << model.status().message();
  size_t fp16_bytes = 0;
  for (const TensorInfo& t : (*model)->graph().subgraphs[0].tensors)
    if (t.is_constant() && t.type == DType::kFloat16) fp16_bytes += t.bytes;
  ASSERT_GT(fp16_bytes, 0u);
  auto interp = Interpreter::Create(*model);
  ASSERT_TRUE(interp.ok());
  ASSERT_TRUE((*interp)->AllocateTensors().ok());
  int dequantize = 0;
  for (const NodeDetails& d : (*interp)->node_details()) {
    if (d.op_name == "DEQUANTIZE") {
      ++dequantize;
      EXPECT_EQ(d.backend, "const") << "op " << d.index;
    } else {
      EXPECT_NE(d.backend, "const") << d.op_name << " op " << d.index;  // runs per Invoke (ref or cpu)
    }
  }
  EXPECT_EQ(dequantize, 74);
  EXPECT_EQ((*interp)->arena_stats().persistent_bytes, 2 * fp16_bytes);
}

TEST(WeightsDecodedOnce, SparseDensifyAndDequantizeRunAtAllocate) {
  auto model = Model::FromFile(ModelsDir() + "/face_detection_full_range_sparse.tflite");
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto interp = Interpreter::Create(*model);
  ASSERT_TRUE(interp.ok());
  ASSERT_TRUE((*interp)->AllocateTensors().ok());
  int folded = 0;
  for (const NodeDetails& d : (*interp)->node_details())
    if (d.op_name == "DENSIFY" || d.op_name == "DEQUANTIZE") {
      EXPECT_EQ(d.backend, "const") << d.op_name << " op " << d.index;
      ++folded;
    }
  EXPECT_EQ(folded, 46 + 182);
}

}  // namespace
}  // namespace lithe::testing
