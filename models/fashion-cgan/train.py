#!/usr/bin/python3
"""Trains the bundled class-conditional DCGAN on Fashion-MNIST and exports its generator.

Writes, next to this file (or into --out):
  generator.keras  Keras 3 zip, NHWC, inputs z [N,100] float32 and label [N,1] float32
  generator.onnx   same weights, inputs z [N,100] float32 and label [N] int64, output NCHW
  model.json       label names, output range, latent distribution
  samples/         one contact sheet per label and one with a row per label

Usage: nice -n 10 /usr/bin/python3 models/fashion-cgan/train.py [--epochs 1]
Needs Debian's python3-torch and dataset-fashion-mnist (deploy/install-deps.sh --train).
"""

import argparse
import gzip
import json
import os
import struct
import sys
import time
import warnings
import zlib

# Idle OpenMP threads must sleep, not spin: on a machine shared with compile jobs, spinning
# made each step 3-5x slower. GNU OpenMP reads this when torch loads, so set it first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_writer as kw  # noqa: E402

LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
LATENT_DIM = 100
NUM_CLASSES = 10
EMBED_DIM = 50
BN_EPS = 1e-3  # Keras' default; PyTorch's BatchNorm2d is told the same


# ---------------------------------------------------------------- data

def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_fashion_mnist(data_dir):
    """Training images as float32 [60000,1,28,28] in [-1,1] and int64 labels."""
    images = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.astype(np.float32) / 127.5 - 1.0).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


# ---------------------------------------------------------------- models

class FastConvTranspose2d(nn.ConvTranspose2d):
    """ConvTranspose2d(k=4, s=2, p=1) that trains through a plain convolution.

    Debian's torch runs conv_transpose2d through reference BLAS (~3 s per training step here),
    while conv2d uses oneDNN. Each output phase (row parity, column parity) of this transposed
    conv is a 2x2 convolution of the input, so in training mode we run one 3x3 conv with
    4*out channels (zeros where a phase does not use a tap) and pixel-shuffle. Eval mode and
    ONNX export use the ordinary op; the parameters are the ordinary ConvTranspose2d ones.
    """

    # Kernel tap used by output phase r for input offset j-1 (None: not used).
    TAPS = [[3, 1, None], [None, 2, 0]]

    def __init__(self, cin, cout):
        super().__init__(cin, cout, kernel_size=4, stride=2, padding=1)
        idx = [[4 if k is None else k for k in phase] for phase in self.TAPS]
        self.register_buffer("tap_index", torch.tensor(idx), persistent=False)

    def phase_kernel(self):
        cin, cout = self.weight.shape[:2]
        w = F.pad(self.weight, (0, 1, 0, 1))                    # tap index 4 reads zeros
        w = w[:, :, self.tap_index][:, :, :, :, self.tap_index]  # [in, out, ry, jy, rx, jx]
        return w.permute(1, 2, 4, 0, 3, 5).reshape(cout * 4, cin, 3, 3)

    def forward(self, x):
        if not self.training:
            return super().forward(x)
        y = F.conv2d(x, self.phase_kernel(), padding=1)
        return F.pixel_shuffle(y, 2) + self.bias.view(1, -1, 1, 1)


class Generator(nn.Module):
    """NCHW PyTorch twin of the Keras graph written by export_keras()."""

    def __init__(self):
        super().__init__()
        self.latent_dense = nn.Linear(LATENT_DIM, 7 * 7 * 128)
        self.label_embedding = nn.Embedding(NUM_CLASSES, EMBED_DIM)
        self.label_dense = nn.Linear(EMBED_DIM, 7 * 7)
        self.conv1 = nn.Conv2d(129, 128, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(128, eps=BN_EPS)
        self.deconv = FastConvTranspose2d(128, 64)
        self.bn2 = nn.BatchNorm2d(64, eps=BN_EPS)
        self.conv_out = nn.Conv2d(64, 1, 7, padding=3)

    def forward(self, z, label):
        h = F.leaky_relu(self.latent_dense(z), 0.2).view(-1, 128, 7, 7)
        c = self.label_dense(self.label_embedding(label)).view(-1, 1, 7, 7)
        x = torch.cat([h, c], dim=1)
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        x = F.leaky_relu(self.bn1(self.conv1(x)), 0.2)
        x = F.leaky_relu(self.bn2(self.deconv(x)), 0.2)
        return torch.tanh(self.conv_out(x))


class Discriminator(nn.Module):
    """Conv features with a projection head: score = w·φ(x) + embed(label)·φ(x)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 64, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Dropout(0.3))
        self.score = nn.Linear(128 * 7 * 7, 1)
        self.label_projection = nn.Embedding(NUM_CLASSES, 128 * 7 * 7)
        nn.init.normal_(self.label_projection.weight, std=0.01)

    def forward(self, x, label):
        phi = self.features(x)
        return self.score(phi).squeeze(1) + (self.label_projection(label) * phi).sum(1)


def init_dcgan(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        nn.init.zeros_(module.bias)


# ---------------------------------------------------------------- training

def train(gen, disc, images, labels, epochs, batch_size, log_every):
    opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    n = images.shape[0]
    steps = n // batch_size
    ones = torch.full((batch_size,), 0.9)  # one-sided label smoothing for real images
    zeros = torch.zeros(batch_size)
    start = time.time()
    for epoch in range(1, epochs + 1):
        order = torch.randperm(n)
        sum_d = sum_g = 0.0
        for step in range(steps):
            idx = order[step * batch_size:(step + 1) * batch_size]
            real, real_y = images[idx], labels[idx]
            z = torch.randn(batch_size, LATENT_DIM)
            fake_y = torch.randint(0, NUM_CLASSES, (batch_size,))
            fake = gen(z, fake_y)

            opt_d.zero_grad(set_to_none=True)
            loss_d = bce(disc(real, real_y), ones) + bce(disc(fake.detach(), fake_y), zeros)
            loss_d.backward()
            opt_d.step()

            opt_g.zero_grad(set_to_none=True)
            loss_g = bce(disc(fake, fake_y), torch.ones(batch_size))
            loss_g.backward()
            opt_g.step()

            sum_d += loss_d.item()
            sum_g += loss_g.item()
            if log_every and (step + 1) % log_every == 0:
                print(f"  epoch {epoch} step {step + 1}/{steps}  D {sum_d / (step + 1):.4f}"
                      f"  G {sum_g / (step + 1):.4f}  {time.time() - start:.0f}s", flush=True)
        print(f"epoch {epoch}/{epochs}  loss_D {sum_d / steps:.4f}  loss_G {sum_g / steps:.4f}"
              f"  elapsed {time.time() - start:.0f}s", flush=True)
    return sum_d / steps, sum_g / steps


@torch.no_grad()
def recalibrate_batch_norm(gen, batches, batch_size):
    """Replaces BN running stats by exact averages over fresh batches of the final weights."""
    gen.train()
    for m in gen.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # cumulative average
    for _ in range(batches):
        gen(torch.randn(batch_size, LATENT_DIM), torch.randint(0, NUM_CLASSES, (batch_size,)))
    gen.eval()


# ---------------------------------------------------------------- export

def np32(t):
    return t.detach().cpu().numpy().astype(np.float32)


def export_keras(gen, path):
    """Writes the generator as a Keras 3 Functional model (NHWC)."""
    # PyTorch views the Dense output as CHW; Keras' Reshape reads it as HWC.
    chw_to_hwc = torch.arange(128 * 7 * 7).view(128, 7, 7).permute(1, 2, 0).reshape(-1)
    dense_w = gen.latent_dense.weight[chw_to_hwc].t()  # (in, out) with out in HWC order
    dense_b = gen.latent_dense.bias[chw_to_hwc]

    def conv(m):
        return [np32(m.weight.permute(2, 3, 1, 0)), np32(m.bias)]  # (kh,kw,in,out)

    def deconv(m):
        return [np32(m.weight.permute(2, 3, 1, 0)), np32(m.bias)]  # (in,out,kh,kw) -> (kh,kw,out,in)

    def bn(m):
        return [np32(m.weight), np32(m.bias), np32(m.running_mean), np32(m.running_var)]

    b = kw.FunctionalBuilder("generator")
    z = b.add_input("z", [LATENT_DIM])
    label = b.add_input("label", [1])
    h = b.add("Dense", "dense", kw.dense_config(6272), z, [6272], [np32(dense_w), np32(dense_b)])
    h = b.add("LeakyReLU", "leaky_re_lu", {"negative_slope": 0.2}, h, [6272], build=False)
    h = b.add("Reshape", "reshape", {"target_shape": [7, 7, 128]}, h, [7, 7, 128])
    c = b.add("Embedding", "embedding", kw.embedding_config(NUM_CLASSES, EMBED_DIM), label,
              [1, EMBED_DIM], [np32(gen.label_embedding.weight)])
    c = b.add("Dense", "dense_1", kw.dense_config(49), c, [1, 49],
              [np32(gen.label_dense.weight.t()), np32(gen.label_dense.bias)])
    c = b.add("Reshape", "reshape_1", {"target_shape": [7, 7, 1]}, c, [7, 7, 1])
    x = b.add("Concatenate", "concatenate", {"axis": -1}, [h, c], [7, 7, 129])
    x = b.add("UpSampling2D", "up_sampling2d",
              {"size": [2, 2], "data_format": "channels_last", "interpolation": "nearest"},
              x, [14, 14, 129], build=False)
    x = b.add("Conv2D", "conv2d", kw.conv2d_config(128, 3), x, [14, 14, 128], conv(gen.conv1))
    x = b.add("BatchNormalization", "batch_normalization", kw.batch_norm_config(BN_EPS), x,
              [14, 14, 128], bn(gen.bn1))
    x = b.add("LeakyReLU", "leaky_re_lu_1", {"negative_slope": 0.2}, x, [14, 14, 128], build=False)
    x = b.add("Conv2DTranspose", "conv2d_transpose", kw.conv2d_transpose_config(64, 4, 2), x,
              [28, 28, 64], deconv(gen.deconv))
    x = b.add("BatchNormalization", "batch_normalization_1", kw.batch_norm_config(BN_EPS), x,
              [28, 28, 64], bn(gen.bn2))
    x = b.add("LeakyReLU", "leaky_re_lu_2", {"negative_slope": 0.2}, x, [28, 28, 64], build=False)
    x = b.add("Conv2D", "conv2d_1", kw.conv2d_config(1, 7, activation="tanh"), x, [28, 28, 1],
              conv(gen.conv_out))
    b.save(path, x)


def export_onnx(gen, path):
    gen.eval()
    z = torch.zeros(2, LATENT_DIM)
    label = torch.zeros(2, dtype=torch.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch 1.13 shape-inference chatter
        torch.onnx.export(gen, (z, label), path, opset_version=13,
                          input_names=["z", "label"], output_names=["image"],
                          dynamic_axes={"z": {0: "N"}, "label": {0: "N"}, "image": {0: "N"}})
    # The exporter loses H and W after Resize(scales); declare the known output shape.
    model = onnx.load(path)
    dims = model.graph.output[0].type.tensor_type.shape.dim
    for dim, value in zip(dims[1:], (1, 28, 28)):
        dim.Clear()
        dim.dim_value = value
    onnx.checker.check_model(model)
    onnx.save(model, path)


def write_model_json(path):
    # No "layout": it would override the file's own, and model.json serves both files
    # (the Keras one is NHWC, the ONNX one NCHW).
    meta = {"labels": LABELS, "output_range": [-1, 1], "latent_distribution": "normal"}
    with open(path, "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


# ---------------------------------------------------------------- samples

def write_png_gray(path, pixels):
    """Minimal 8-bit grayscale PNG writer (uint8 [H,W])."""
    h, w = pixels.shape

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def contact_sheet(images, cols, scale=2, gap=2):
    """images: float [N,28,28] in [-1,1] -> uint8 grid, `cols` per row."""
    u8 = np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype(np.uint8)
    u8 = u8.repeat(scale, axis=1).repeat(scale, axis=2)
    n, h, w = u8.shape
    rows = (n + cols - 1) // cols
    sheet = np.full((rows * (h + gap) + gap, cols * (w + gap) + gap), 64, dtype=np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        sheet[gap + r * (h + gap):gap + r * (h + gap) + h, gap + c * (w + gap):gap + c * (w + gap) + w] = u8[i]
    return sheet


@torch.no_grad()
def write_samples(gen, out_dir, seed):
    os.makedirs(out_dir, exist_ok=True)
    g = torch.Generator().manual_seed(seed)
    gen.eval()
    for k, name in enumerate(LABELS):
        z = torch.randn(32, LATENT_DIM, generator=g)
        x = gen(z, torch.full((32,), k, dtype=torch.int64))[:, 0].numpy()
        slug = name.lower().replace("/", "_").replace(" ", "_").replace("-", "_")
        write_png_gray(os.path.join(out_dir, f"label_{k}_{slug}.png"), contact_sheet(x, 8))
    z = torch.randn(10, LATENT_DIM, generator=g).repeat(NUM_CLASSES, 1)  # same z down each column
    y = torch.arange(NUM_CLASSES).repeat_interleave(10)
    write_png_gray(os.path.join(out_dir, "all_labels.png"), contact_sheet(gen(z, y)[:, 0].numpy(), 10))


# ---------------------------------------------------------------- main

def parse_args():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--out", default=here)
    p.add_argument("--checkpoint", help="also save the trained state_dicts here (.pt)")
    p.add_argument("--from-checkpoint", help="skip training, export from this checkpoint")
    p.add_argument("--log-every", type=int, default=200, help="steps between progress lines (0: off)")
    return p.parse_args()


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    gen, disc = Generator(), Discriminator()
    gen.apply(init_dcgan)
    disc.features.apply(init_dcgan)

    start = time.time()
    if args.from_checkpoint:
        state = torch.load(args.from_checkpoint)
        gen.load_state_dict(state["generator"])
        disc.load_state_dict(state["discriminator"])
    else:
        images, labels = load_fashion_mnist(args.data)
        print(f"data: {images.shape[0]} images; {args.epochs} epochs of batch {args.batch_size}; "
              f"{args.threads} threads", flush=True)
        gen.train()
        disc.train()
        loss_d, loss_g = train(gen, disc, images, labels, args.epochs, args.batch_size, args.log_every)
        recalibrate_batch_norm(gen, batches=100, batch_size=256)
        print(f"final losses: D {loss_d:.4f}  G {loss_g:.4f}")
        if args.checkpoint:
            torch.save({"generator": gen.state_dict(), "discriminator": disc.state_dict()}, args.checkpoint)
    gen.eval()

    os.makedirs(args.out, exist_ok=True)
    export_keras(gen, os.path.join(args.out, "generator.keras"))
    export_onnx(gen, os.path.join(args.out, "generator.onnx"))
    write_model_json(os.path.join(args.out, "model.json"))
    write_samples(gen, os.path.join(args.out, "samples"), seed=args.seed + 1)
    print(f"wrote generator.keras, generator.onnx, model.json, samples/ to {args.out}; "
          f"total wall time {time.time() - start:.0f}s")


if __name__ == "__main__":
    main()
