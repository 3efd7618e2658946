"""Exports generators whose cost is one large normalization, to decide per
shape between the reference InstanceNormalization kernel and a oneDNN
lowering (BENCHMARKS.md): a latent, a Linear to (C, 4, 4), nearest
upsampling to the image size, the normalization, a 1x1 Conv to RGB, tanh.
Each comes with its twin without the normalization, so that the difference
of the two latencies is the normalization's own.

Run with Debian's python (it has torch and onnx):
  /usr/bin/python3 tests/bench/export_norm_models.py OUT_DIR
"""
import os
import sys

import onnx
import torch
from torch import nn

# name: (channels, image size, the normalization of `channels`)
SHAPES = {
    "gn32_256c_64px": (256, 64, lambda c: nn.GroupNorm(32, c)),
    "gn32_128c_32px": (128, 32, lambda c: nn.GroupNorm(32, c)),
    "gn8_64c_128px": (64, 128, lambda c: nn.GroupNorm(8, c)),
    "ln_64c_32px": (64, 32, lambda c: nn.LayerNorm([c, 32, 32])),
}


class NormGenerator(nn.Module):
    def __init__(self, channels, size, norm):
        super().__init__()
        self.channels = channels
        self.fc = nn.Linear(16, channels * 16)
        self.up = nn.Upsample(scale_factor=size // 4, mode="nearest")
        self.norm = norm
        self.rgb = nn.Conv2d(channels, 3, 1)

    def forward(self, z):
        x = self.up(self.fc(z).view(-1, self.channels, 4, 4))
        return torch.tanh(self.rgb(self.norm(x)))


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "build/norm_models"
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    for name, (channels, size, norm) in SHAPES.items():
        for suffix, layer in (("", norm(channels)), ("_without", nn.Identity())):
            model = NormGenerator(channels, size, layer).eval()
            path = os.path.join(out_dir, name + suffix + ".onnx")
            torch.onnx.export(model, torch.randn(2, 16), path, opset_version=17,
                              input_names=["z"], output_names=["image"],
                              dynamic_axes={"z": {0: "batch"}, "image": {0: "batch"}})
            onnx.checker.check_model(onnx.load(path))
            print(path)


if __name__ == "__main__":
    main()
