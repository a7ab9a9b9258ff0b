// EvenChunkRows: how lithe's CPU GEMMs split output rows into chunks.
#include <gtest/gtest.h>

#include <cstdint>

#include "backends/onednn/conv_shape.h"

namespace lithe::onednn {
namespace {

TEST(EvenChunkRows, SplitsIntoTheFewestChunksOfNearlyEqualSize) {
  EXPECT_EQ(EvenChunkRows(196, 156, 6), 102);  // 102 + 94, not 156 + 40
  EXPECT_EQ(EvenChunkRows(800, 234, 6), 204);  // 4 chunks: 204 + 204 + 204 + 188
  EXPECT_EQ(EvenChunkRows(49, 156, 6), 49);    // one chunk, no larger than the rows
  EXPECT_EQ(EvenChunkRows(312, 156, 6), 156);  // exact multiple
  EXPECT_EQ(EvenChunkRows(1, 6, 6), 1);
}

TEST(EvenChunkRows, CoversTheRowsWithoutExceedingTheLimit) {
  for (int64_t max_rows : {6, 12, 150, 156}) {
    for (int64_t rows = 1; rows <= 1000; ++rows) {
      const int64_t chunk = EvenChunkRows(rows, max_rows, 6);
      const int64_t fewest = (rows + max_rows - 1) / max_rows;
      ASSERT_LE(chunk, max_rows) << rows;
      ASSERT_EQ((rows + chunk - 1) / chunk, fewest) << rows << " rows, at most " << max_rows;
      ASSERT_TRUE(chunk == rows || chunk % 6 == 0) << rows;
    }
  }
}

}  // namespace
}  // namespace lithe::onednn
