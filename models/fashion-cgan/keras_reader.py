"""Reads the generator.keras that export_keras() wrote back into train.py's PyTorch Generator.

Used by quality.py (to score any saved generator file, e.g. an older model) and by
tests/fixtures/make_fashion_expected.py (to compute the expected outputs from the exact
float32 values in the file).
"""

import io
import json
import re
import zipfile

import h5py
import numpy as np


def load_keras(path):
    """Returns (config dict, {layer name: [arrays]}) following Keras 3's weight-path naming."""
    with zipfile.ZipFile(path) as z:
        config = json.loads(z.read("config.json"))
        weights_file = io.BytesIO(z.read("model.weights.h5"))
    weights = {}
    counters = {}
    with h5py.File(weights_file, "r") as f:
        for layer in config["config"]["layers"]:
            cls = layer["class_name"]
            base = re.sub(r"([a-z])([A-Z])", r"\1_\2", re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", cls)).lower()
            counters[base] = counters.get(base, -1) + 1
            group = f["layers"][base if counters[base] == 0 else f"{base}_{counters[base]}"]["vars"]
            weights[layer["name"]] = [group[str(i)][()].astype(np.float64) for i in range(len(group))]
    return config, weights


def torch_generator(weights):
    """train.Generator holding the .keras weights, undoing export_keras()'s layout changes."""
    import torch
    import train

    def t(a):
        return torch.from_numpy(a.astype(np.float32))

    gen = train.Generator(class_scale="embedding_1" in weights)
    # export_keras() wrote the latent Dense with its outputs in HWC order; PyTorch's are CHW.
    chw_to_hwc = torch.arange(128 * 7 * 7).view(128, 7, 7).permute(1, 2, 0).reshape(-1)
    dense_w, dense_b = weights["dense"]
    state = {"latent_dense.weight": torch.empty(6272, 100), "latent_dense.bias": torch.empty(6272)}
    state["latent_dense.weight"][chw_to_hwc] = t(dense_w).t()
    state["latent_dense.bias"][chw_to_hwc] = t(dense_b)
    state["label_embedding.weight"] = t(weights["embedding"][0])
    state["label_dense.weight"] = t(weights["dense_1"][0]).t()
    state["label_dense.bias"] = t(weights["dense_1"][1])
    if "embedding_1" in weights:  # the per-class gain, written in HWC order like the Dense
        scale = torch.empty(train.NUM_CLASSES, 6272)
        scale[:, chw_to_hwc] = t(weights["embedding_1"][0])
        state["label_scale.weight"] = scale
    for prefix, name in (("conv1", "conv2d"), ("deconv", "conv2d_transpose"), ("conv_out", "conv2d_1")):
        state[f"{prefix}.weight"] = t(weights[name][0]).permute(3, 2, 0, 1)  # both kinds of kernel
        state[f"{prefix}.bias"] = t(weights[name][1])
    for prefix, name in (("bn1", "batch_normalization"), ("bn2", "batch_normalization_1")):
        for key, value in zip(("weight", "bias", "running_mean", "running_var"), weights[name]):
            state[f"{prefix}.{key}"] = t(value)
    missing = gen.load_state_dict(state, strict=False)
    assert not missing.unexpected_keys and \
        all(k.endswith("num_batches_tracked") for k in missing.missing_keys), missing
    return gen.eval()


def load_generator(path):
    """The .keras file at `path` as an eval-mode train.Generator."""
    return torch_generator(load_keras(path)[1])
