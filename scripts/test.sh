#!/usr/bin/env bash
# Runs lithe's whole test suite: unit tests per op, real models against TensorFlow Lite 2.9 and
# LiteRT.js, malformed-model tests; then the same suite once more under AddressSanitizer +
# UndefinedBehaviorSanitizer.
#   scripts/test.sh            both passes (what CI runs)
#   scripts/test.sh --fast     the Release pass only
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)
# ccache (when installed) shares objects between build trees and clones.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

scripts/fetch_models.sh >/dev/null

pass() {  # pass BUILD_DIR CMAKE_ARGS...
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs" 2>&1 | grep -E "error|warning" || true
  cmake --build "$dir" -j"$jobs" >/dev/null
  (cd "$dir" && ctest --output-on-failure -j"$jobs" "${ctest_args[@]}")
}
ctest_args=()

echo "== Release"
# Same configuration as scripts/setup.sh, so the build it made is reused.
pass build -DCMAKE_BUILD_TYPE=Release
if [ "${1:-}" != "--fast" ]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # Warnings are errors here (STYLE.md: warnings on, errors in CI).
  # The ref_backend.* repeats of the model tests are left to the Release pass: here the unit
  # tests (optimized kernels against the reference ones) and the fuzz tests (mostly on the
  # reference backend) run both backends under the sanitizers.
  ctest_args=(-E '^ref_backend[.]')
  # -O1 -g1: line numbers in reports, and a build that fits CI's time.
  pass build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" \
    -DLITHE_SANITIZE=ON -DLITHE_WERROR=ON
fi
