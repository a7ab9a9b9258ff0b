// InvokeContext::ParallelFor: chunks over the interpreter's threads, and small loops (by the
// caller's work estimate) on the calling thread.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "lithe/op.h"
#include "runtime/thread_pool.h"

namespace lithe::testing {
namespace {

struct Calls {
  std::mutex mu;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  std::vector<std::thread::id> threads;
};

void RecordParallelFor(const InvokeContext& ctx, int64_t n, int64_t work, Calls* calls) {
  ctx.ParallelFor(
      n,
      [&](int64_t b, int64_t e) {
        std::lock_guard<std::mutex> lock(calls->mu);
        calls->ranges.emplace_back(b, e);
        calls->threads.push_back(std::this_thread::get_id());
      },
      work);
}

int64_t Covered(const Calls& c) {
  int64_t total = 0;
  for (const auto& [b, e] : c.ranges) total += e - b;
  return total;
}

TEST(ParallelFor, SmallWorkRunsOnceOnTheCallingThread) {
  ThreadPool pool(2);
  const InvokeContext ctx(nullptr, 0, nullptr, 0, nullptr, &pool);
  Calls calls;
  RecordParallelFor(ctx, 10, 100, &calls);  // 1000 operations in all
  ASSERT_EQ(calls.ranges.size(), 1u);
  EXPECT_EQ(calls.ranges[0], std::make_pair(int64_t{0}, int64_t{10}));
  EXPECT_EQ(calls.threads[0], std::this_thread::get_id());
}

TEST(ParallelFor, LargeOrUnknownWorkIsSplitIntoChunksThatCoverTheRange) {
  ThreadPool pool(2);
  const InvokeContext ctx(nullptr, 0, nullptr, 0, nullptr, &pool);
  for (int64_t work : {int64_t{-1}, InvokeContext::kMinParallelWork}) {
    Calls calls;
    RecordParallelFor(ctx, 64, work, &calls);
    EXPECT_GT(calls.ranges.size(), 1u) << "work " << work;
    EXPECT_EQ(Covered(calls), 64) << "work " << work;
  }
}

}  // namespace
}  // namespace lithe::testing
