#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root) for lithe, builds it, and runs the main job on a
# built-in default model. Safe to re-run.
#   scripts/setup.sh            install + fetch + build + run the main job
#   scripts/setup.sh --no-run   install + fetch + build only
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

run_main=1
[ "${1:-}" = "--no-run" ] && run_main=0

# ccache (when installed) shares objects between build trees and clones.
export CCACHE_BASEDIR="$(pwd)" CCACHE_NOHASHDIR=1

need_apt=()
# Build: flatbuffers (TFLite format), protobuf + libonnx-dev (ONNX import), zlib (gzip'd datasets),
# oneDNN (the optimized CPU backend), ccache (rebuilds).
# Tests and the model zoo: ONNX's backend node test cases, the Fashion-MNIST dataset.
for p in cmake g++ make ccache flatbuffers-compiler libflatbuffers-dev libgtest-dev libgmock-dev libdnnl-dev \
         libprotobuf-dev protobuf-compiler libonnx-dev zlib1g-dev libonnx-testdata dataset-fashion-mnist \
         python3-torch python3-torchvision python3-onnx python3-numpy; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
# Node.js runs the LiteRT.js oracle and npm fetches models; the image may already have them.
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
pkgs="${need_apt[*]}"
if [ -n "$pkgs" ]; then
  echo "setup: apt-get install $pkgs"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
fi

echo "setup: fetching models and reference runtimes (npm) into .cache/"
scripts/fetch_models.sh >/dev/null

# Untrained torchvision models (fixed seed) for the converter's structure tests; not committed.
if [ ! -f .cache/zoo/mobilenet_v2.onnx ] || [ ! -f .cache/zoo/resnet18.onnx ]; then
  echo "setup: exporting torchvision mobilenet_v2 and resnet18 to ONNX (.cache/zoo/)"
  /usr/bin/python3 scripts/zoo/export_torchvision.py .cache/zoo
fi

echo "setup: building (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" 2>&1 | grep -E "error|warning: unused" || true
test -x build/lithe

if [ "$run_main" = 1 ]; then
  # The main job: the seed workflow on its built-in default, the zoo's PyTorch-trained tutorial
  # CNN: ONNX -> float32 .tflite -> fp16, dynamic, int8, int16x8, then size, accuracy on the
  # 10,000 Fashion-MNIST test images and latency of each (out/workflow/).
  echo
  echo "\$ scripts/quantize_workflow.sh"
  scripts/quantize_workflow.sh
fi
