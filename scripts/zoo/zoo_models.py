"""The zoo's architectures. Every model takes float32 [N, 28, 28] (pixel / 255) and exports to ONNX
with only Conv, Relu, MaxPool, Flatten, Gemm, Add, BatchNormalization, Softmax, Reshape (constant
shape) and GlobalAveragePool (Dropout disappears in the eval-mode export)."""

import torch
from torch import nn


class CnnTutorial(nn.Module):
    """The CNN of TensorFlow's float16 post-training quantization tutorial:
    Reshape 28x28 -> 28x28x1, Conv2D(12, 3x3, valid) + ReLU, MaxPool 2x2, Flatten, Dense(10)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 12, kernel_size=3)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.dense = nn.Linear(12 * 13 * 13, 10)

    def forward(self, x):
        # A constant target shape: exports as one Reshape whose shape is an initializer.
        x = x.reshape(-1, 1, 28, 28)
        return self.dense(self.flatten(self.pool(self.relu(self.conv(x)))))


class Mlp(nn.Module):
    """The MLP: Flatten, Dense(128) + ReLU, Dense(10). Trained on logits; the exported model
    ends in Softmax (see WithSoftmax)."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.net(x)


def _block(cin, cout):
    return [nn.Conv2d(cin, cout, kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]


class CnnDeep(nn.Module):
    """Four 3x3 conv blocks (Conv + BatchNorm + ReLU; 16, 32, 64, 64 channels) with 2x2 max pooling
    after the first, second and fourth (28 -> 14 -> 7 -> 3), then Flatten, Dropout and a dense
    layer. Pooling early keeps training cheap on two CPU cores."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            *_block(1, 16), nn.MaxPool2d(2),                      # 16 x 14 x 14
            *_block(16, 32), nn.MaxPool2d(2),                     # 32 x 7 x 7
            *_block(32, 64), *_block(64, 64), nn.MaxPool2d(2),    # 64 x 3 x 3
            nn.Flatten(), nn.Dropout(0.25))
        self.dense = nn.Linear(64 * 3 * 3, 10)

    def forward(self, x):
        return self.dense(self.features(x.reshape(-1, 1, 28, 28)))


class WithSoftmax(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        return self.softmax(self.inner(x))


# name -> (constructor, export_softmax, training recipe per dataset)
# Recipes: Adam, batch size, epochs, peak learning rate; cnn_deep uses a one-cycle schedule
# (the others a constant rate). MNIST here has 7,996 training images (Fashion-MNIST 60,000), so it
# gets more epochs for a similar number of steps.
MODELS = {
    "cnn_tutorial": {
        "make": CnnTutorial, "softmax": False, "schedule": "constant",
        "recipe": {"fashion-mnist": {"epochs": 3, "batch": 64, "lr": 1e-3},
                   "mnist": {"epochs": 10, "batch": 64, "lr": 1e-3}},
    },
    "mlp": {
        "make": Mlp, "softmax": True, "schedule": "constant",
        "recipe": {"fashion-mnist": {"epochs": 5, "batch": 64, "lr": 1e-3},
                   "mnist": {"epochs": 15, "batch": 64, "lr": 1e-3}},
    },
    "cnn_deep": {
        "make": CnnDeep, "softmax": False, "schedule": "onecycle",
        "recipe": {"fashion-mnist": {"epochs": 5, "batch": 128, "lr": 4e-3},
                   "mnist": {"epochs": 12, "batch": 128, "lr": 4e-3}},
    },
}


def build(name):
    return MODELS[name]["make"]()


def export_module(name, trained):
    return WithSoftmax(trained) if MODELS[name]["softmax"] else trained
