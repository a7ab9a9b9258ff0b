// A fixed pool of worker threads for data-parallel loops inside kernels.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "lithe/op.h"

namespace lithe {

// With OpenMP (built together with the oneDNN backend) the pool is OpenMP's team: oneDNN's
// primitives and lithe's loops then share one set of threads and never oversubscribe the cores.
// Without it, the pool owns num_threads - 1 worker threads.
class ThreadPool {
 public:
  // `num_threads` counts the calling thread: a pool of 1 runs everything inline.
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  int num_threads() const { return num_threads_; }

  // Calls fn(begin, end) on disjoint chunks covering [0, n); returns when all are done.
  // Allocation-free.
  void ParallelFor(int64_t n, FunctionRef<void(int64_t, int64_t)> fn);

 private:
  void WorkerLoop();
  void RunChunks();

  int num_threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  uint64_t generation_ = 0;
  bool stop_ = false;
  int finished_ = 0;  // workers done with the current generation
  // The current job.
  const FunctionRef<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0, chunk_ = 1;
  std::atomic<int64_t> next_{0};
};

}  // namespace lithe
