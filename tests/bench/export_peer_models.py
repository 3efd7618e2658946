"""Exports the PyTorch twins of the generator zoo to ONNX (opset 17, dynamic batch).

Run with Debian's python (it has torch and onnx):
  /usr/bin/python3 tests/bench/export_peer_models.py OUT_DIR
Writes OUT_DIR/<zoo name>.onnx and checks each file with onnx.checker.
"""
import os
import sys

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_models  # noqa: E402


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "build/peer_models"
    os.makedirs(out_dir, exist_ok=True)
    for name in peer_models.ZOO:
        model, latent = peer_models.make(name)
        path = os.path.join(out_dir, name + ".onnx")
        torch.onnx.export(model, torch.randn(2, *latent), path, opset_version=17,
                          input_names=["z"], output_names=["image"],
                          dynamic_axes={"z": {0: "batch"}, "image": {0: "batch"}})
        onnx.checker.check_model(onnx.load(path))
        params = sum(p.numel() for p in model.parameters())
        print(f"{name}: {params} params, latent {latent} -> {path}")


if __name__ == "__main__":
    main()
