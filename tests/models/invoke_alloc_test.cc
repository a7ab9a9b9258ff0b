// Invoke allocates nothing: every global operator new is counted while Invoke runs, on every
// real model, with one and two threads.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "lithe/interpreter.h"
#include "lithe/model.h"
#include "models/model_test_util.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

// The replacement operator new/delete pair uses malloc/free on purpose; GCC cannot see they match.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
void* Counted(std::size_t n, std::size_t align) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (n == 0) n = 1;
  if (align <= alignof(std::max_align_t)) return std::malloc(n);
  return std::aligned_alloc(align, (n + align - 1) / align * align);
}
void* CountedOrThrow(std::size_t n, std::size_t align) {
  if (void* p = Counted(n, align)) return p;
  throw std::bad_alloc();
}
}  // namespace

// Every form of operator new and delete is replaced, so the pairs always match (also under
// AddressSanitizer, whose own operators would otherwise see our malloc'ed blocks).
void* operator new(std::size_t n) { return CountedOrThrow(n, 0); }
void* operator new[](std::size_t n) { return CountedOrThrow(n, 0); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return Counted(n, 0); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return Counted(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) { return CountedOrThrow(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return CountedOrThrow(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return Counted(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return Counted(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace lithe::testing {
namespace {

std::string* volatile g_sink = nullptr;

TEST(InvokeAllocCounter, SeesAnAllocation) {
  // Guards the test below against a counter that cannot count.
  g_allocations = 0;
  g_counting = true;
  g_sink = new std::string(100, 'x');
  g_counting = false;
  EXPECT_GE(g_allocations.load(), 1);
  delete g_sink;
}

class InvokeAlloc : public ::testing::TestWithParam<const char*> {};

long CountInvokeAllocations(Interpreter& interp) {
  g_allocations = 0;
  g_counting = true;
  Status s = interp.Invoke();
  g_counting = false;
  EXPECT_TRUE(s.ok()) << s.message();
  return g_allocations.load();
}

TEST_P(InvokeAlloc, ReferenceInvokeMakesNoHeapAllocation) {
  auto model = Model::FromFile(ModelsDir() + "/" + GetParam());
  ASSERT_TRUE(model.ok()) << model.status().message();
  for (int threads : {1, 2}) {
    InterpreterOptions o;
    o.num_threads = threads;
    o.backend = BackendChoice::kReference;
    auto interp = Interpreter::Create(*model, o);
    ASSERT_TRUE(interp.ok());
    ASSERT_TRUE((*interp)->AllocateTensors().ok());
    ASSERT_TRUE((*interp)->Invoke().ok());  // a first run, e.g. to start worker threads
    EXPECT_EQ(CountInvokeAllocations(**interp), 0) << GetParam() << " with " << threads << " threads";
  }
}

// oneDNN's primitive::execute builds its argument map (a std::unordered_map) on every call, so
// an Invoke on the CPU backend makes a few small allocations per oneDNN node. They must not
// grow from one Invoke to the next, and stay a handful per node.
TEST_P(InvokeAlloc, CpuBackendAllocationsAreBoundedAndDoNotGrow) {
  if (!CpuBackendAvailable()) GTEST_SKIP() << "built without the CPU backend";
  auto model = Model::FromFile(ModelsDir() + "/" + GetParam());
  ASSERT_TRUE(model.ok()) << model.status().message();
  for (int threads : {1, 2}) {
    InterpreterOptions o;
    o.num_threads = threads;
    o.backend = BackendChoice::kCpu;
    auto interp = Interpreter::Create(*model, o);
    ASSERT_TRUE(interp.ok());
    ASSERT_TRUE((*interp)->AllocateTensors().ok());
    ASSERT_TRUE((*interp)->Invoke().ok());
    int cpu_nodes = 0;
    for (const NodeDetails& d : (*interp)->node_details()) cpu_nodes += d.backend == "cpu";
    const long first = CountInvokeAllocations(**interp);
    const long second = CountInvokeAllocations(**interp);
    EXPECT_EQ(first, second) << GetParam() << " with " << threads << " threads";
    EXPECT_LE(first, 16L * cpu_nodes) << GetParam() << ": " << cpu_nodes << " nodes on the CPU backend";
    std::printf("%s, %d threads: %ld allocations per Invoke, %d nodes on the CPU backend\n", GetParam(), threads,
                first, cpu_nodes);
  }
}

INSTANTIATE_TEST_SUITE_P(MediaPipe, InvokeAlloc,
                         ::testing::Values("face_detection_short_range.tflite", "face_detection_full_range_sparse.tflite",
                                           "hand_landmark_lite.tflite", "selfie_segmentation.tflite"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string n = info.param;
                           return n.substr(0, n.find('.'));
                         });

}  // namespace
}  // namespace lithe::testing
