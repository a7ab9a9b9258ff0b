#!/usr/bin/python3
"""Exports untrained torchvision mobilenet_v2 and resnet18 to ONNX, the converter's larger test
models (14 MB and 45 MB: made by scripts/setup.sh into .cache/zoo/, not committed).

  /usr/bin/python3 scripts/zoo/export_torchvision.py OUT_DIR

Writes OUT_DIR/mobilenet_v2.onnx and OUT_DIR/resnet18.onnx: weights from torch.manual_seed(0)
(torchvision's default initialization, no download, no training). With BatchNorm's initial
running statistics (mean 0, variance 1) the untrained mobilenet_v2's activations shrink about
tenfold per stage and its logits are ~1e-9, which would make any comparison of outputs vacuous;
so BatchNorm's running statistics are first set from one forward pass over 8 seeded random
images (uniform in [-1, 1)), which keeps the activations and logits of order 1. Then eval mode
(Dropout off), input "input" float32 [1, 3, 224, 224], output "logits"
float32 [1, 1000], opset 13, constant folding on. Each file is written to a temporary name and
renamed, so a present file is complete. Needs python3-torch, python3-torchvision and python3-onnx
(apt).
"""

import os
import sys
import tempfile

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import onnx  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402

MODELS = {
    "mobilenet_v2": torchvision.models.mobilenet_v2,
    "resnet18": torchvision.models.resnet18,
}


def export(name, out_dir):
    torch.manual_seed(0)
    model = MODELS[name](weights=None)
    # BatchNorm statistics from the batch (momentum None: a plain average), no gradient step.
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    model.train()
    with torch.no_grad():
        model(torch.rand(8, 3, 224, 224, generator=torch.Generator().manual_seed(1)) * 2 - 1)
    model.eval()
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{name}-", suffix=".onnx")
    os.close(fd)
    try:
        torch.onnx.export(model, torch.zeros(1, 3, 224, 224), tmp, opset_version=13,
                          input_names=["input"], output_names=["logits"], do_constant_folding=True,
                          training=torch.onnx.TrainingMode.EVAL)
        onnx.checker.check_model(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(out_dir, f"{name}.onnx"))
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main():
    if len(sys.argv) != 2:
        print("usage: export_torchvision.py OUT_DIR", file=sys.stderr)
        return 2
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    for name in MODELS:
        export(name, out_dir)
        size = os.path.getsize(os.path.join(out_dir, f"{name}.onnx"))
        print(f"export_torchvision: {out_dir}/{name}.onnx ({size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
