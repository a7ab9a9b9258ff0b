#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "unit/ops/oracle_compare.h"
#include "util/op_model.h"

namespace lithe::testing {
namespace {

using ::tflite::BuiltinOperator;

::tflite::BatchMatMulOptionsT Options(bool adj_x, bool adj_y) {
  ::tflite::BatchMatMulOptionsT o;
  o.adj_x = adj_x;
  o.adj_y = adj_y;
  return o;
}

std::vector<float> RunMatMul(std::vector<int32_t> sa, std::vector<float> a, std::vector<int32_t> sb,
                             std::vector<float> b, bool adj_x, bool adj_y, std::vector<int32_t>* shape) {
  OpModel m(BuiltinOperator::BATCH_MATMUL);
  m.AddInput(DType::kFloat32, sa);
  m.AddInput(DType::kFloat32, sb);
  m.AddOutput(DType::kFloat32);
  m.SetOptions(Options(adj_x, adj_y));
  auto out = m.RunFloat({a, b});
  EXPECT_TRUE(out.ok()) << out.status().message();
  if (!out.ok()) return {};
  *shape = m.output_shape(0);
  return out.value()[0];
}

TEST(BatchMatMul, MultipliesMatrices) {
  // [[1, 2, 3], [4, 5, 6]] x [[1, 0], [0, 1], [1, 1]] = [[4, 5], [10, 11]]
  std::vector<int32_t> shape;
  auto y = RunMatMul({2, 3}, {1, 2, 3, 4, 5, 6}, {3, 2}, {1, 0, 0, 1, 1, 1}, false, false, &shape);
  EXPECT_EQ(y, (std::vector<float>{4, 5, 10, 11}));
  EXPECT_EQ(shape, (std::vector<int32_t>{2, 2}));
}

TEST(BatchMatMul, AdjXAndAdjYTransposeTheLastTwoDims) {
  // Same product with lhs stored transposed ([3, 2]) and rhs stored transposed ([2, 3]).
  std::vector<int32_t> shape;
  auto y = RunMatMul({3, 2}, {1, 4, 2, 5, 3, 6}, {2, 3}, {1, 0, 1, 0, 1, 1}, true, true, &shape);
  EXPECT_EQ(y, (std::vector<float>{4, 5, 10, 11}));
  EXPECT_EQ(shape, (std::vector<int32_t>{2, 2}));
}

TEST(BatchMatMul, RhsBroadcastsOverLhsBatches) {
  // Two 1x2 lhs matrices times one shared 2x1 rhs.
  std::vector<int32_t> shape;
  auto y = RunMatMul({2, 1, 2}, {1, 2, 3, 4}, {2, 1}, {10, 1}, false, false, &shape);
  EXPECT_EQ(y, (std::vector<float>{12, 34}));
  EXPECT_EQ(shape, (std::vector<int32_t>{2, 1, 1}));
}

struct MatMulCase {
  std::vector<int32_t> a, b;  // stored shapes
  bool adj_x, adj_y;
};

// out = op(a) x op(b) in double, batch dims broadcast: an independent reference for the ranks
// TensorFlow Lite 2.9 refuses (it allows at most 4 dims).
std::vector<float> NaiveBatchMatMul(const std::vector<int32_t>& sa, const std::vector<float>& a,
                                    const std::vector<int32_t>& sb, const std::vector<float>& b, bool adj_x,
                                    bool adj_y, std::vector<int32_t>* out_shape) {
  const size_t rank = std::max(sa.size(), sb.size());
  std::vector<int32_t> ea(rank - sa.size(), 1), eb(rank - sb.size(), 1);
  ea.insert(ea.end(), sa.begin(), sa.end());
  eb.insert(eb.end(), sb.begin(), sb.end());
  const int32_t ar = ea[rank - 2], ac = ea[rank - 1], br = eb[rank - 2], bc = eb[rank - 1];
  const int32_t rows = adj_x ? ac : ar, depth = adj_x ? ar : ac, cols = adj_y ? br : bc;
  std::vector<int32_t> batch(rank - 2);
  for (size_t d = 0; d + 2 < rank; ++d) batch[d] = std::max(ea[d], eb[d]);
  *out_shape = batch;
  out_shape->push_back(rows);
  out_shape->push_back(cols);
  int64_t batches = 1;
  for (int32_t d : batch) batches *= d;
  std::vector<float> out;
  for (int64_t n = 0; n < batches; ++n) {
    // Matrix index of batch n in a and b (index 0 along their size-1 dims).
    int64_t rem = n, ia = 0, ib = 0, sa_mul = 1, sb_mul = 1;
    for (size_t d = rank - 2; d-- > 0;) {
      const int64_t i = rem % batch[d];
      rem /= batch[d];
      ia += (ea[d] == 1 ? 0 : i) * sa_mul;
      ib += (eb[d] == 1 ? 0 : i) * sb_mul;
      sa_mul *= ea[d];
      sb_mul *= eb[d];
    }
    const float* ma = a.data() + ia * ar * ac;
    const float* mb = b.data() + ib * br * bc;
    for (int32_t i = 0; i < rows; ++i) {
      for (int32_t j = 0; j < cols; ++j) {
        double acc = 0;
        for (int32_t k = 0; k < depth; ++k)
          acc += static_cast<double>(adj_x ? ma[k * ac + i] : ma[i * ac + k]) *
                 (adj_y ? mb[j * bc + k] : mb[k * bc + j]);
        out.push_back(static_cast<float>(acc));
      }
    }
  }
  return out;
}

// Runs each case with both inputs as graph inputs, then with a constant rhs, then with a
// constant lhs, comparing each with TensorFlow Lite (or, above rank 4, which TensorFlow Lite 2.9
// refuses, with NaiveBatchMatMul). Returns the number of output values compared.
int64_t CompareCases(const std::vector<MatMulCase>& cases) {
  int64_t compared = 0;
  uint32_t seed = 1;
  for (const MatMulCase& c : cases) {
    const OracleTensor a = RandomFloats(c.a, seed++), b = RandomFloats(c.b, seed++);
    const std::string what = "lhs " + ShapeString(c.a) + (c.adj_x ? " adj_x" : "") + " rhs " + ShapeString(c.b) +
                             (c.adj_y ? " adj_y" : "");
    const bool rank5 = c.a.size() > 4 || c.b.size() > 4;
    for (int constant = 0; constant < 3; ++constant) {
      OpModel m(BuiltinOperator::BATCH_MATMUL);
      std::vector<OracleTensor> inputs;
      if (constant == 2) {
        m.AddConst<float>(DType::kFloat32, c.a, TensorFloats(a));
      } else {
        m.AddInput(DType::kFloat32, c.a);
        inputs.push_back(a);
      }
      if (constant == 1) {
        m.AddConst<float>(DType::kFloat32, c.b, TensorFloats(b));
      } else {
        m.AddInput(DType::kFloat32, c.b);
        inputs.push_back(b);
      }
      m.AddOutput(DType::kFloat32);
      m.SetOptions(Options(c.adj_x, c.adj_y));
      static const char* const kHow[] = {" (both inputs)", " (constant rhs)", " (constant lhs)"};
      if (!rank5) {
        compared += ExpectMatchesOracle(m, inputs, what + kHow[constant]);
        continue;
      }
      std::vector<int32_t> want_shape;
      const std::vector<float> want =
          NaiveBatchMatMul(c.a, TensorFloats(a), c.b, TensorFloats(b), c.adj_x, c.adj_y, &want_shape);
      std::vector<std::vector<float>> raw;
      for (const OracleTensor& t : inputs) raw.push_back(TensorFloats(t));
      auto got = m.RunFloat(raw);
      if (!got.ok()) {
        ADD_FAILURE() << what << kHow[constant] << ": " << got.status().message();
        continue;
      }
      EXPECT_EQ(m.output_shape(0), want_shape) << what;
      const std::vector<float>& have = got.value()[0];
      if (have.size() != want.size()) {
        ADD_FAILURE() << what << kHow[constant] << ": " << have.size() << " values, expected " << want.size();
        continue;
      }
      for (size_t i = 0; i < want.size(); ++i)
        EXPECT_NEAR(have[i], want[i], 1e-5) << what << kHow[constant] << " element " << i;
      compared += static_cast<int64_t>(want.size());
    }
  }
  return compared;
}

TEST(BatchMatMul, MatchesTfliteForEveryAdjCombinationAndRank2To4AndANaiveProductAtRank5) {
  std::vector<MatMulCase> cases;
  for (bool adj_x : {false, true}) {
    for (bool adj_y : {false, true}) {
      const int r = 5, k = 7, c = 3;
      const std::vector<int32_t> m_a = adj_x ? std::vector<int32_t>{k, r} : std::vector<int32_t>{r, k};
      const std::vector<int32_t> m_b = adj_y ? std::vector<int32_t>{c, k} : std::vector<int32_t>{k, c};
      auto with = [](std::vector<int32_t> batch, const std::vector<int32_t>& mat) {
        batch.insert(batch.end(), mat.begin(), mat.end());
        return batch;
      };
      cases.push_back({with({}, m_a), with({}, m_b), adj_x, adj_y});                    // rank 2
      cases.push_back({with({4}, m_a), with({4}, m_b), adj_x, adj_y});                  // rank 3
      cases.push_back({with({2, 3}, m_a), with({2, 3}, m_b), adj_x, adj_y});            // rank 4
      cases.push_back({with({2, 1, 3}, m_a), with({2, 2, 3}, m_b), adj_x, adj_y});      // rank 5
    }
  }
  EXPECT_EQ(CompareCases(cases), 3 * (4 * (15 + 4 * 15 + 6 * 15 + 12 * 15)));
}

TEST(BatchMatMul, MatchesTfliteWhenBatchDimsBroadcastAndANaiveProductAtRank5) {
  const std::vector<MatMulCase> cases = {
      {{3, 4, 6}, {6, 5}, false, false},              // rank 3 x rank 2
      {{4, 6}, {3, 6, 5}, false, false},              // rank 2 x rank 3
      {{2, 1, 4, 6}, {1, 3, 6, 5}, false, false},     // both broadcast
      {{2, 1, 4, 6}, {3, 5, 6}, false, true},         // ranks differ and broadcast
      {{1, 2, 1, 6, 4}, {2, 1, 3, 6, 5}, true, false},
  };
  EXPECT_EQ(CompareCases(cases), 3 * (3 * 4 * 5 + 3 * 4 * 5 + 2 * 3 * 4 * 5 + 2 * 3 * 4 * 5 + 2 * 2 * 3 * 4 * 5));
}

TEST(BatchMatMul, MatchesTfliteOnALargerProduct) {
  // Big enough to be split across threads.
  EXPECT_EQ(CompareCases({{{4, 64, 96}, {4, 96, 80}, false, false}, {{4, 96, 64}, {80, 96}, true, true}}),
            3 * 2 * 4 * 64 * 80);
}

TEST(BatchMatMul, EmptyDepthGivesZeros) {
  std::vector<int32_t> shape;
  auto y = RunMatMul({2, 0}, {}, {0, 3}, {}, false, false, &shape);
  EXPECT_EQ(y, std::vector<float>(6, 0.f));
  EXPECT_EQ(shape, (std::vector<int32_t>{2, 3}));
}

Status PrepareError(std::vector<int32_t> sa, std::vector<int32_t> sb, bool adj_x = false, bool adj_y = false) {
  OpModel m(BuiltinOperator::BATCH_MATMUL);
  m.AddInput(DType::kFloat32, sa);
  m.AddInput(DType::kFloat32, sb);
  m.AddOutput(DType::kFloat32);
  m.SetOptions(Options(adj_x, adj_y));
  Status s = m.Prepare();
  EXPECT_FALSE(s.ok());
  return s;
}

TEST(BatchMatMul, MismatchedSummedDimIsAnError) {
  Status s = PrepareError({2, 3}, {4, 2});
  EXPECT_NE(s.message().find("BATCH_MATMUL"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("summed dim: 3 vs 4"), std::string::npos) << s.message();
  // With adj_y the rhs's last dim is the summed one.
  EXPECT_TRUE(PrepareError({2, 3}, {3, 2}, false, true).message().find("adj_y") != std::string::npos);
}

TEST(BatchMatMul, BatchDimsThatDoNotBroadcastAreAnError) {
  Status s = PrepareError({2, 4, 6}, {3, 6, 5});
  EXPECT_NE(s.message().find("do not broadcast"), std::string::npos) << s.message();
}

TEST(BatchMatMul, RanksOutside2To5AreErrors) {
  EXPECT_NE(PrepareError({6}, {6, 2}).message().find("rank 2..5"), std::string::npos);
  EXPECT_NE(PrepareError({2, 2, 2, 2, 3, 4}, {4, 1}).message().find("rank 2..5"), std::string::npos);
}

}  // namespace
}  // namespace lithe::testing
