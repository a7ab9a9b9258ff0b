#include "runtime/thread_pool.h"

#include <algorithm>

#ifdef LITHE_HAVE_ONEDNN
#include <omp.h>
#endif

namespace lithe {

#ifdef LITHE_HAVE_ONEDNN

ThreadPool::ThreadPool(int num_threads) : num_threads_(num_threads) {}
ThreadPool::~ThreadPool() = default;
void ThreadPool::WorkerLoop() {}
void ThreadPool::RunChunks() {}

void ThreadPool::ParallelFor(int64_t n, FunctionRef<void(int64_t, int64_t)> fn) {
  if (n <= 0) return;
  const int threads = static_cast<int>(std::min<int64_t>(num_threads_, n));
  if (threads <= 1) {
    fn(0, n);
    return;
  }
  // A few chunks per thread balance uneven work without much contention.
  const int64_t chunk = std::max<int64_t>(1, n / (4 * threads));
  std::atomic<int64_t> next{0};
#pragma omp parallel num_threads(threads)
  for (;;) {
    const int64_t begin = next.fetch_add(chunk);
    if (begin >= n) break;
    fn(begin, std::min(n, begin + chunk));
  }
}

#else

ThreadPool::ThreadPool(int num_threads) : num_threads_(num_threads) {
  for (int i = 1; i < num_threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::RunChunks() {
  for (;;) {
    const int64_t begin = next_.fetch_add(chunk_);
    if (begin >= n_) return;
    (*fn_)(begin, std::min(n_, begin + chunk_));
  }
}

void ThreadPool::WorkerLoop() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    RunChunks();
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++finished_;
    }
    done_.notify_one();
  }
}

void ThreadPool::ParallelFor(int64_t n, FunctionRef<void(int64_t, int64_t)> fn) {
  if (n <= 0) return;
  if (workers_.empty() || n == 1) {
    fn(0, n);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    fn_ = &fn;
    n_ = n;
    // A few chunks per thread balance uneven work without much contention.
    chunk_ = std::max<int64_t>(1, n / (4 * num_threads()));
    next_.store(0);
    finished_ = 0;
    ++generation_;
  }
  wake_.notify_all();
  RunChunks();
  std::unique_lock<std::mutex> lock(mu_);
  // Every worker takes part in every job, so once all have reported none can still touch it.
  done_.wait(lock, [&] { return finished_ == static_cast<int>(workers_.size()); });
  fn_ = nullptr;
}

#endif  // LITHE_HAVE_ONEDNN

}  // namespace lithe
