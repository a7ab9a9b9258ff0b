#!/usr/bin/python3
"""Builds lithe's model zoo: small classifiers trained with PyTorch on Fashion-MNIST and MNIST,
exported to ONNX and converted to TensorFlow Lite with `lithe convert`.

  /usr/bin/python3 scripts/zoo/make_zoo.py [--dataset fashion-mnist|mnist] [--model NAME]
                                           [--lithe PATH] [--convert-only] [--no-convert]

For each (dataset, model) it writes, under models/zoo/<dataset>/:
  <model>.onnx                   opset 13, static batch 1, input "input" float32 [1, 28, 28]
                                 (pixel / 255), output "logits" float32 [1, 10] (for mlp: the
                                 softmax probabilities; the name is kept the same for all models)
  <model>.tflite                 `lithe convert <model>.onnx -o <model>.tflite`
  <model>.torch_predictions.npy  int32 [N]: PyTorch's top-1 class of every test image (argmax of
                                 the exported module's output, first index on ties)
  <model>.json                   the recipe and the measured PyTorch test accuracy

Training is deterministic: 2 torch threads, deterministic algorithms, seed 1 for the weights and
the shuffling. Needs /usr/bin/python3 with python3-torch, python3-onnx and python3-numpy (apt);
MNIST comes from scripts/fetch_models.sh, Fashion-MNIST from the dataset-fashion-mnist package.
--convert-only re-runs only the conversion of the existing .onnx files (for a newer converter).
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

# Under CPU contention OpenMP's spinning workers slow training several times over; sleeping
# instead does not change any result.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoo_data  # noqa: E402
import zoo_models  # noqa: E402

SEED = 1
THREADS = 2
OPSET = 13
ALLOWED_OPS = {"Conv", "Relu", "MaxPool", "Flatten", "Gemm", "MatMul", "Add", "BatchNormalization",
               "Softmax", "Reshape", "GlobalAveragePool"}
ZOO_DIR = os.path.join(zoo_data.ROOT, "models", "zoo")
DATASET_DIRS = {"fashion-mnist": "fashion_mnist", "mnist": "mnist"}


def log(msg):
    print(f"[make_zoo] {msg}", flush=True)


def write_atomic(path, data):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def seed_everything(seed):
    torch.manual_seed(seed)
    np.random.seed(seed)


def train(name, dataset, recipe):
    images, labels = zoo_data.load(dataset, "train")
    x = torch.from_numpy(zoo_data.to_float(images))
    y = torch.from_numpy(labels)
    seed_everything(SEED)
    model = zoo_models.build(name)
    optimizer = torch.optim.Adam(model.parameters(), lr=recipe["lr"])
    steps_per_epoch = (len(x) + recipe["batch"] - 1) // recipe["batch"]
    scheduler = None
    if zoo_models.MODELS[name]["schedule"] == "onecycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=recipe["lr"], epochs=recipe["epochs"], steps_per_epoch=steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(SEED)
    for epoch in range(recipe["epochs"]):
        model.train()
        order = torch.randperm(len(x), generator=shuffle)
        total = 0.0
        start = time.time()
        for b in range(steps_per_epoch):
            idx = order[b * recipe["batch"]:(b + 1) * recipe["batch"]]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            total += loss.item() * len(idx)
        log(f"{dataset}/{name} epoch {epoch + 1}/{recipe['epochs']}: "
            f"loss {total / len(x):.4f} ({time.time() - start:.0f} s)")
    model.eval()
    return model


@torch.no_grad()
def predict(module, images):
    """Outputs of the (exported) module on every image, float32 [N, 10], in batches of 500."""
    x = torch.from_numpy(zoo_data.to_float(images))
    return torch.cat([module(x[i:i + 500]) for i in range(0, len(x), 500)]).numpy()


def constants_to_initializers(proto):
    """PyTorch exports the target shape of x.reshape(-1, 1, 28, 28) as a Constant node; the zoo
    keeps constants as initializers, so that its graphs use only the ops in ALLOWED_OPS."""
    kept = []
    for node in proto.graph.node:
        if node.op_type != "Constant":
            copy = onnx.NodeProto()
            copy.CopyFrom(node)
            kept.append(copy)
            continue
        if len(node.attribute) != 1 or node.attribute[0].name != "value":
            raise RuntimeError(f"Constant node {node.name!r} has no plain 'value' tensor")
        tensor = onnx.TensorProto()
        tensor.CopyFrom(node.attribute[0].t)
        tensor.name = node.output[0]
        proto.graph.initializer.append(tensor)
    del proto.graph.node[:]
    proto.graph.node.extend(kept)


def export_onnx(module, path):
    module.eval()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "model.onnx")
        torch.onnx.export(module, torch.zeros(1, 28, 28), out, opset_version=OPSET,
                          input_names=["input"], output_names=["logits"], do_constant_folding=True,
                          training=torch.onnx.TrainingMode.EVAL)
        proto = onnx.load(out)
    constants_to_initializers(proto)
    onnx.checker.check_model(proto)
    ops = sorted({n.op_type for n in proto.graph.node})
    extra = set(ops) - ALLOWED_OPS
    if extra:
        raise RuntimeError(f"{path}: export uses ops outside the zoo's set: {sorted(extra)}")
    data = proto.SerializeToString()
    write_atomic(path, data)
    return ops, hashlib.sha256(data).hexdigest()


def convert(lithe, onnx_path, tflite_path, onnx_is_new):
    """Runs `lithe convert` into a temporary file and renames it over tflite_path; returns None on
    success, else the error line. When the .onnx was just re-made and conversion fails, the old
    .tflite (converted from the previous .onnx) is removed rather than left behind."""
    tmp = tflite_path + ".tmp"
    try:
        r = subprocess.run([lithe, "convert", onnx_path, "-o", tmp], capture_output=True, text=True,
                           timeout=600)
        err = None if r.returncode == 0 and os.path.exists(tmp) else \
            (r.stderr.strip() or r.stdout.strip() or f"exit {r.returncode}").splitlines()[-1]
    except (OSError, subprocess.TimeoutExpired) as e:
        err = f"cannot run {lithe}: {e}"
    if err is None:
        os.chmod(tmp, 0o644)
        os.replace(tmp, tflite_path)
        return None
    if os.path.exists(tmp):
        os.remove(tmp)
    if onnx_is_new and os.path.exists(tflite_path):
        os.remove(tflite_path)
    return err


def make(name, dataset, lithe, do_convert):
    out_dir = os.path.join(ZOO_DIR, DATASET_DIRS[dataset])
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, name)
    recipe = zoo_models.MODELS[name]["recipe"][dataset]

    start = time.time()
    model = train(name, dataset, recipe)
    train_seconds = time.time() - start
    exported = zoo_models.export_module(name, model).eval()

    test_images, test_labels = zoo_data.load(dataset, "t10k")
    outputs = predict(exported, test_images)
    predictions = outputs.argmax(axis=1).astype(np.int32)
    correct = int((predictions == test_labels).sum())
    top2 = np.sort(outputs, axis=1)[:, -2:]
    margins = top2[:, 1] - top2[:, 0]
    # The converted model must reproduce every prediction; a margin near float rounding noise
    # (~1e-6 relative) would make that a coin toss, so it is recorded.
    min_margin = float(margins.min())
    ops, onnx_sha = export_onnx(exported, base + ".onnx")

    buf = tempfile.SpooledTemporaryFile()
    np.save(buf, predictions)
    buf.seek(0)
    write_atomic(base + ".torch_predictions.npy", buf.read())

    info = {
        "model": name,
        "dataset": dataset,
        "accuracy": correct / len(test_labels),
        "correct": correct,
        "test_images": int(len(test_labels)),
        "train_images": int(len(zoo_data.load(dataset, "train")[1])),
        "epochs": recipe["epochs"],
        "batch_size": recipe["batch"],
        "optimizer": "Adam",
        "learning_rate": recipe["lr"],
        "lr_schedule": zoo_models.MODELS[name]["schedule"],
        "loss": "cross entropy on logits",
        "seed": SEED,
        "torch_threads": THREADS,
        "torch_version": torch.__version__,
        "preprocessing": "float32 pixel / 255",
        "input": {"name": "input", "shape": [1, 28, 28], "dtype": "float32"},
        "output": {"name": "logits", "shape": [1, 10],
                   "meaning": "softmax probabilities" if zoo_models.MODELS[name]["softmax"] else "logits"},
        "onnx_opset": OPSET,
        "onnx_ops": ops,
        "onnx_sha256": onnx_sha,
        "parameters": int(sum(p.numel() for p in model.parameters())),
        "min_top2_margin": min_margin,
        "train_seconds": round(train_seconds, 1),
        "command": f"/usr/bin/python3 scripts/zoo/make_zoo.py --dataset {dataset} --model {name}",
    }
    write_atomic(base + ".json", (json.dumps(info, indent=2) + "\n").encode())
    log(f"{dataset}/{name}: accuracy {info['accuracy']:.4f} ({correct}/{len(test_labels)}), "
        f"min top-2 margin {min_margin:.3g}, trained in {train_seconds:.0f} s")
    if not do_convert:
        if os.path.exists(base + ".tflite"):
            os.remove(base + ".tflite")  # converted from the previous .onnx
        return None
    return convert(lithe, base + ".onnx", base + ".tflite", onnx_is_new=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dataset", choices=sorted(DATASET_DIRS), action="append")
    p.add_argument("--model", choices=sorted(zoo_models.MODELS), action="append")
    p.add_argument("--lithe", default=os.environ.get("LITHE_BINARY", os.path.join(zoo_data.ROOT, "build", "lithe")),
                   help="the lithe binary that converts (default: build/lithe)")
    p.add_argument("--convert-only", action="store_true", help="only convert the existing .onnx files")
    p.add_argument("--no-convert", action="store_true", help="skip the conversion to .tflite")
    args = p.parse_args()

    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    failures = []
    for dataset in args.dataset or ["fashion-mnist", "mnist"]:
        for name in args.model or list(zoo_models.MODELS):
            if args.convert_only:
                base = os.path.join(ZOO_DIR, DATASET_DIRS[dataset], name)
                err = convert(args.lithe, base + ".onnx", base + ".tflite", onnx_is_new=False)
            else:
                err = make(name, dataset, args.lithe, not args.no_convert)
            if err:
                failures.append(f"{dataset}/{name}: lithe convert failed: {err}")
                log(failures[-1])
    if failures:
        log(f"{len(failures)} model(s) not converted")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
