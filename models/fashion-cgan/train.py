#!/usr/bin/python3
"""Trains the bundled class-conditional DCGAN on Fashion-MNIST and exports its generator.

Writes, next to this file (or into --out):
  generator.keras  Keras 3 zip, NHWC, inputs z [N,100] float32 and label [N,1] float32
  generator.onnx   same weights, inputs z [N,100] float32 and label [N] int64, output NCHW
  model.json       label names, output range, latent distribution
  samples/         one contact sheet per label and one with a row per label
then scores the exported generator.keras with quality.py (--compare-with OLD.keras adds a column).

Recipe: hinge loss, a spectrally normalised projection discriminator, two learning rates
(D 4e-4, G 2e-4), and an exponential moving average of G's weights, which is what is exported.
Training stops after --epochs, --max-minutes of wall time (default 60) or --max-cpu-minutes of
CPU time (user+sys over every thread, default 120: 60 minutes of 2 cores), whichever comes
first; the state is saved to --checkpoint every --checkpoint-minutes (default 10), after every
epoch and at the stop, and --resume continues from it.
--init-from starts from another run's checkpoint instead, --init-generator from a generator
file with a fresh D; --ac-weight (a class head on D), --ms-weight (mode seeking), --spread-weight
and --pixel-spread-weight (per-class spread in D's features or in pixels), --class-boost,
--class-std (per-class minibatch std in D), --class-scale (a per-class gain in G) and --detail
(D reads a high-pass of the image and scores 7x7 patches too) add terms.

Usage: nice -n 19 /usr/bin/python3 models/fashion-cgan/train.py --checkpoint /tmp/cgan.pt
Needs Debian's python3-torch and dataset-fashion-mnist (deploy/install-deps.sh --train).
"""

import argparse
import copy
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
EPOCHS = 7  # about 60 minutes on 2 shared cores at batch 64 (0.5 s a step)
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

    def __init__(self, class_scale=False):
        super().__init__()
        self.latent_dense = nn.Linear(LATENT_DIM, 7 * 7 * 128)
        self.label_embedding = nn.Embedding(NUM_CLASSES, EMBED_DIM)
        self.label_dense = nn.Linear(EMBED_DIM, 7 * 7)
        self.conv1 = nn.Conv2d(129, 128, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(128, eps=BN_EPS)
        self.deconv = FastConvTranspose2d(128, 64)
        self.bn2 = nn.BatchNorm2d(64, eps=BN_EPS)
        self.conv_out = nn.Conv2d(64, 1, 7, padding=3)
        # Optional per-class gain on every latent feature (Embedding -> Multiply), so each class
        # can use its own share of the latent features; all ones is the graph without it.
        self.label_scale = None
        if class_scale:
            self.label_scale = nn.Embedding(NUM_CLASSES, 7 * 7 * 128)
            nn.init.ones_(self.label_scale.weight)

    def forward(self, z, label):
        h = F.leaky_relu(self.latent_dense(z), 0.2).view(-1, 128, 7, 7)
        if self.label_scale is not None:
            h = h * self.label_scale(label).view(-1, 128, 7, 7)
        c = self.label_dense(self.label_embedding(label)).view(-1, 1, 7, 7)
        x = torch.cat([h, c], dim=1)
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        x = F.leaky_relu(self.bn1(self.conv1(x)), 0.2)
        x = F.leaky_relu(self.bn2(self.deconv(x)), 0.2)
        return torch.tanh(self.conv_out(x))


class Discriminator(nn.Module):
    """Spectrally normalised conv features with a projection head: w·φ(x) + embed(label)·φ(x).

    Spectral norm bounds D's Lipschitz constant, so its gradients keep telling G apart from
    the data all over the image space instead of driving G to a few safe modes.

    With detail=True, D also reads a high-pass of the image (the image minus its 3x3 mean)
    through a full-resolution branch joined at 14x14, and scores each 7x7 position of its
    features on its own (a patch score, also with a class projection). A D built only on
    stride-2 convolutions of the image reads little of the fine texture that tells a real
    garment from a smooth one, and the diversity ratio reads that texture too.
    """

    STAT_AT = 4  # index in `features` of the layer the per-class std channel is fed to
    DETAIL_AT = 2  # index in `features` of the layer the high-pass branch is fed to
    PATCH_AT = 4  # index in `features` whose input (7x7) the patch score reads

    def __init__(self, class_head=False, class_std=False, detail=False):
        super().__init__()
        sn = nn.utils.spectral_norm
        self.class_std = class_std
        self.features = nn.Sequential(
            sn(nn.Conv2d(1, 64, 4, stride=2, padding=1)), nn.LeakyReLU(0.2),     # 14x14
            sn(nn.Conv2d(64 + 64 * detail, 128, 4, stride=2, padding=1)), nn.LeakyReLU(0.2),  # 7x7
            sn(nn.Conv2d(128 + class_std, 256, 3, stride=2, padding=1)), nn.LeakyReLU(0.2),  # 4x4
            nn.Flatten())
        self.score = sn(nn.Linear(256 * 4 * 4, 1))
        self.label_projection = sn(nn.Embedding(NUM_CLASSES, 256 * 4 * 4))
        # Built only when asked for, so that the default recipe draws the same random numbers.
        self.classify = sn(nn.Linear(256 * 4 * 4, NUM_CLASSES)) if class_head else None
        self.detail = None
        if detail:
            self.detail = nn.Sequential(
                sn(nn.Conv2d(1, 32, 3, padding=1)), nn.LeakyReLU(0.2),              # 28x28
                sn(nn.Conv2d(32, 64, 4, stride=2, padding=1)), nn.LeakyReLU(0.2))   # 14x14
            self.patch_score = sn(nn.Conv2d(128, 1, 1))
            self.patch_projection = sn(nn.Embedding(NUM_CLASSES, 128))

    def forward(self, x, label):
        """Returns the real/fake score, the auxiliary class logits (None without the head),
        the features the score is computed from and the [N,7,7] patch scores (None without
        the detail branch)."""
        phi, patch = x, None
        for i, layer in enumerate(self.features):
            if i == self.DETAIL_AT and self.detail is not None:
                phi = torch.cat([phi, self.detail(high_pass(x))], dim=1)
            if i == self.PATCH_AT and self.detail is not None:
                patch = self.patch_score(phi).squeeze(1) + torch.einsum(
                    "nchw,nc->nhw", phi, self.patch_projection(label))
            if i == self.STAT_AT and self.class_std:
                phi = torch.cat([phi, per_class_std(phi, label)], dim=1)
            phi = layer(phi)
        score = self.score(phi).squeeze(1) + (self.label_projection(label) * phi).sum(1)
        return score, None if self.classify is None else self.classify(phi), phi, patch


def high_pass(x):
    """The image minus its 3x3 local mean: edges and texture, without the silhouette."""
    return x - F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)


def per_class_std(x, label):
    """A [N,1,H,W] channel holding, for each image, the mean standard deviation of the batch's
    images of the same class (ProGAN's minibatch std, grouped by class): a D that sees it can
    tell a class drawn from one mode from a varied one. An image alone in its class gets the
    mean of the other classes' values (G's batches come in pairs, so a 0 there would tell D
    that the image is real)."""
    stat = torch.zeros(x.shape[0], device=x.device)
    alone = torch.zeros(x.shape[0], dtype=torch.bool, device=x.device)
    for k in range(NUM_CLASSES):
        pick = label == k
        count = int(pick.sum())
        if count >= 2:
            value = (x[pick].var(0, unbiased=False) + 1e-8).sqrt().mean()
            stat = stat.index_put((pick.nonzero()[:, 0],), value.expand(count))
        alone |= pick if count == 1 else torch.zeros_like(pick)
    if alone.any() and not alone.all():
        stat = torch.where(alone, stat[~alone].mean(), stat)
    return stat.view(-1, 1, 1, 1).expand(-1, 1, *x.shape[2:])


def init_dcgan(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        nn.init.zeros_(module.bias)


# ---------------------------------------------------------------- training

class Trainer:
    """Hinge-loss GAN training with two learning rates and an EMA copy of the generator.

    Everything that a resumed run needs (both networks, the EMA, both optimisers, the RNG,
    the epoch's shuffle and the position in it) is in state_dict(), saved at each epoch's
    end and when the time budget runs out.
    """

    def __init__(self, gen, disc, args):
        self.gen, self.disc, self.args = gen, disc, args
        self.ema = copy.deepcopy(gen).eval()
        for p in self.ema.parameters():
            p.requires_grad_(False)
        # Two time-scales: D learns faster than G (Heusel et al. 2017).
        self.opt_g = torch.optim.Adam(gen.parameters(), lr=args.lr_g, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(disc.parameters(), lr=args.lr_d, betas=(0.5, 0.999))
        self.epoch, self.step, self.order = 1, 0, None
        self.trained_seconds = 0.0  # over all runs of a resumed training
        self.cpu_seconds = 0.0  # this process's user+sys time over all runs, every thread

    def state_dict(self):
        return {"generator": self.gen.state_dict(), "discriminator": self.disc.state_dict(),
                "ema": self.ema.state_dict(), "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict(), "epoch": self.epoch, "step": self.step,
                "order": self.order, "rng": torch.get_rng_state(),
                "trained_seconds": self.trained_seconds, "cpu_seconds": self.cpu_seconds}

    def load_state_dict(self, state):
        self.gen.load_state_dict(state["generator"])
        self.disc.load_state_dict(state["discriminator"])
        self.ema.load_state_dict(state["ema"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.epoch, self.step, self.order = state["epoch"], state["step"], state["order"]
        self.trained_seconds = state["trained_seconds"]
        self.cpu_seconds = state.get("cpu_seconds", 0.0)  # older checkpoints lack it
        torch.set_rng_state(state["rng"])

    def save(self):
        if self.args.checkpoint:
            torch.save(self.state_dict(), self.args.checkpoint + ".tmp")
            os.replace(self.args.checkpoint + ".tmp", self.args.checkpoint)

    @torch.no_grad()
    def update_ema(self, updates):
        # Plain copy for the first updates, where the average would only remember the noise.
        decay = self.args.ema_decay if updates >= self.args.ema_start else 0.0
        for e, p in zip(self.ema.parameters(), self.gen.parameters()):
            e.lerp_(p, 1.0 - decay)
        for e, b in zip(self.ema.buffers(), self.gen.buffers()):
            e.copy_(b)

    def fake_labels(self, count):
        if self.args.class_boost is None:
            return torch.randint(0, NUM_CLASSES, (count,))
        return torch.multinomial(self.args.class_boost, count, replacement=True)

    def train_step(self, real, real_y, train_g=True):
        n = real.shape[0]
        half = n // 2
        z = torch.randn(n, LATENT_DIM)
        if self.args.ms_weight or self.args.spread_weight or self.args.pixel_spread_weight:
            # latents in pairs sharing a label
            fake_y = self.fake_labels(half).repeat(2)
        else:
            fake_y = self.fake_labels(n)
        with torch.set_grad_enabled(train_g):
            fake = self.gen(z, fake_y)
        ac = self.args.ac_weight

        self.opt_d.zero_grad(set_to_none=True)
        real_score, real_logits, real_phi, real_patch = self.disc(real, real_y)
        fake_score, _, _, fake_patch = self.disc(fake.detach(), fake_y)
        loss_d = F.relu(1.0 - real_score).mean() + F.relu(1.0 + fake_score).mean()
        if real_patch is not None:
            loss_d = loss_d + self.args.patch_weight * (
                F.relu(1.0 - real_patch).mean() + F.relu(1.0 + fake_patch).mean())
        if ac:
            loss_d = loss_d + ac * F.cross_entropy(real_logits, real_y)
        loss_d.backward()
        self.opt_d.step()
        if not train_g:
            return loss_d.item(), 0.0

        self.opt_g.zero_grad(set_to_none=True)
        fake_score, fake_logits, fake_phi, fake_patch = self.disc(fake, fake_y)
        loss_g = -fake_score.mean()
        if fake_patch is not None:
            loss_g = loss_g - self.args.patch_weight * fake_patch.mean()
        if ac:  # AC-GAN's term: G's images must also be classified as their label
            loss_g = loss_g + ac * F.cross_entropy(fake_logits, fake_y)
        if self.args.ms_weight:
            # Mode seeking (Mao et al. 2019): two latents of one class must give images as
            # far apart as the latents are, or G pays; this is what keeps a class varied.
            image_gap = (fake[:half] - fake[half:]).abs().mean((1, 2, 3))
            latent_gap = (z[:half] - z[half:]).abs().mean(1)
            loss_g = loss_g + self.args.ms_weight / ((image_gap / latent_gap).mean() + 1e-5)
        if self.args.spread_weight:
            loss_g = loss_g + self.args.spread_weight * spread_shortfall(
                fake_phi[:half], fake_phi[half:], fake_y[:half], real_phi.detach(), real_y,
                self.args.spread_class_weight)
        if self.args.pixel_spread_weight:  # the same shortfall, measured between the images
            loss_g = loss_g + self.args.pixel_spread_weight * spread_shortfall(
                fake[:half].flatten(1), fake[half:].flatten(1), fake_y[:half], real.flatten(1),
                real_y, self.args.spread_class_weight)
        loss_g.backward()
        self.opt_g.step()
        return loss_d.item(), loss_g.item()

    def init_from(self, state):
        """Starts from another run's networks and EMA; a class head new to D starts fresh, and
        so does D's optimiser then (its state would not match the parameters)."""
        self.gen.load_state_dict(state["generator"])
        missing, _ = self.disc.load_state_dict(state["discriminator"], strict=False)
        self.ema.load_state_dict(state["ema"])
        self.opt_g.load_state_dict(state["opt_g"])
        if not missing:
            self.opt_d.load_state_dict(state["opt_d"])

    def init_generator(self, gen_state):
        """Starts G and its EMA from a generator's weights (e.g. a committed generator.keras);
        D, both optimisers and the step count start fresh. A per-class gain the file lacks
        starts at one, which computes what the file computes."""
        for net in (self.gen, self.ema):
            missing, unexpected = net.load_state_dict(gen_state, strict=False)
            assert not unexpected and all(k.endswith("num_batches_tracked") or k.startswith(
                "label_scale.") for k in missing), (missing, unexpected)

    def shuffle(self, labels):
        """One epoch's order: a permutation, or with --class-boost a draw of the same size
        weighted by each image's class."""
        if self.args.class_boost is None:
            return torch.randperm(labels.shape[0])
        return torch.multinomial(self.args.class_boost[labels], labels.shape[0], replacement=True)

    def warm_up_discriminator(self, images, labels):
        """--d-warmup D-only updates: a fresh D against an already trained G must first learn
        to tell them apart, or its first gradients to G are noise."""
        if self.epoch > 1 or self.step > 0 or not self.args.d_warmup:
            return
        start, cpu_start = time.time(), time.process_time()
        for i in range(self.args.d_warmup):
            idx = torch.randint(0, images.shape[0], (self.args.batch_size,))
            loss_d, _ = self.train_step(images[idx], labels[idx], train_g=False)
            if self.args.log_every and (i + 1) % self.args.log_every == 0:
                print(f"  D warm-up {i + 1}/{self.args.d_warmup}  D {loss_d:.4f}", flush=True)
        self.trained_seconds += time.time() - start
        self.cpu_seconds += time.process_time() - cpu_start

    def run(self, images, labels):
        """Trains to --epochs or until --max-minutes (wall) or --max-cpu-minutes; returns True
        when all epochs ran. Saves the checkpoint every --checkpoint-minutes too."""
        args = self.args
        n = images.shape[0]
        steps = n // args.batch_size
        total = args.epochs * steps
        run_start = time.time()
        done_before = (self.epoch - 1) * steps + self.step
        seconds_before, cpu_before = self.trained_seconds, self.cpu_seconds
        cpu_start, last_save = time.process_time(), time.time()
        while self.epoch <= args.epochs:
            if self.order is None:
                self.order = self.shuffle(labels)
            sum_d = sum_g = 0.0
            counted = 0
            while self.step < steps:
                idx = self.order[self.step * args.batch_size:(self.step + 1) * args.batch_size]
                loss_d, loss_g = self.train_step(images[idx], labels[idx])
                self.step += 1
                updates = (self.epoch - 1) * steps + self.step
                self.update_ema(updates)
                sum_d, sum_g, counted = sum_d + loss_d, sum_g + loss_g, counted + 1
                self.trained_seconds = seconds_before + time.time() - run_start
                self.cpu_seconds = cpu_before + time.process_time() - cpu_start
                if args.log_every and self.step % args.log_every == 0:
                    per_step = (time.time() - run_start) / (updates - done_before)
                    cpu_per_step = (self.cpu_seconds - cpu_before) / (updates - done_before)
                    left = min((total - updates) * per_step,
                               args.max_minutes * 60 - self.trained_seconds,
                               (args.max_cpu_minutes * 60 - self.cpu_seconds)
                               * per_step / max(cpu_per_step, 1e-9))
                    print(f"  epoch {self.epoch}/{args.epochs} step {self.step}/{steps}  "
                          f"D {sum_d / counted:.4f}  G {sum_g / counted:.4f}  "
                          f"{per_step:.2f}s/step  trained {self.trained_seconds / 60:.1f} min "
                          f"(CPU {self.cpu_seconds / 60:.1f} min)  "
                          f"left {max(left, 0) / 60:.1f} min", flush=True)
                if args.checkpoint_minutes and time.time() - last_save >= args.checkpoint_minutes * 60:
                    self.save()
                    last_save = time.time()
                    print(f"  checkpoint saved at epoch {self.epoch} step {self.step}", flush=True)
                if self.cpu_seconds >= args.max_cpu_minutes * 60:
                    print(f"CPU budget of {args.max_cpu_minutes} min reached at epoch {self.epoch} "
                          f"step {self.step}; checkpoint saved, --resume continues", flush=True)
                    self.save()
                    return False
                if self.trained_seconds >= args.max_minutes * 60:
                    print(f"time budget of {args.max_minutes} min reached at epoch {self.epoch} "
                          f"step {self.step}; checkpoint saved, --resume continues", flush=True)
                    self.save()
                    return False
                if args.max_updates and updates - done_before >= args.max_updates:
                    print(f"{args.max_updates} updates done at epoch {self.epoch} step {self.step}; "
                          f"checkpoint saved, --resume continues", flush=True)
                    self.save()
                    return False
            print(f"epoch {self.epoch}/{args.epochs}  loss_D {sum_d / max(counted, 1):.4f}  "
                  f"loss_G {sum_g / max(counted, 1):.4f}  trained {self.trained_seconds / 60:.1f} min",
                  flush=True)
            self.epoch, self.step, self.order = self.epoch + 1, 0, None
            self.save()
        return True


def spread_shortfall(phi_a, phi_b, pair_y, real_phi, real_y, class_weight=None):
    """How far pairs of G's images of one class fall short of that class's real spread.

    In D's features, each pair's distance is compared with the mean pairwise distance of the
    batch's real images of the pair's class; G pays relu(1 - fake / real). This is the
    quality report's diversity ratio, in the discriminator's features instead of the
    (independent) classifier's; classes with fewer than two real images in the batch are left out.
    class_weight (optional, [NUM_CLASSES]) scales each pair's shortfall by its class's weight.
    """
    real_spread = torch.zeros(NUM_CLASSES)
    present = torch.zeros(NUM_CLASSES, dtype=torch.bool)
    for k in range(NUM_CLASSES):
        f = real_phi[real_y == k]
        if f.shape[0] >= 2:
            n = f.shape[0]
            real_spread[k] = torch.cdist(f, f).sum() / (n * (n - 1))
            present[k] = True
    keep = present[pair_y]
    if not keep.any():
        return torch.zeros(())
    gap = (phi_a[keep] - phi_b[keep]).norm(dim=1)
    shortfall = F.relu(1.0 - gap / real_spread[pair_y[keep]])
    if class_weight is not None:
        shortfall = shortfall * class_weight[pair_y[keep]]
    return shortfall.mean()


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
    if gen.label_scale is not None:
        g = b.add("Embedding", "embedding_1", kw.embedding_config(NUM_CLASSES, 6272), label,
                  [1, 6272], [np32(gen.label_scale.weight[:, chw_to_hwc])])
        g = b.add("Reshape", "reshape_2", {"target_shape": [7, 7, 128]}, g, [7, 7, 128])
        h = b.add("Multiply", "multiply", {}, [h, g], [7, 7, 128], build=False)
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
    p.add_argument("--epochs", type=int, default=EPOCHS)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr-g", type=float, default=2e-4)
    p.add_argument("--lr-d", type=float, default=4e-4)
    p.add_argument("--ema-decay", type=float, default=0.999)
    p.add_argument("--ac-weight", type=float, default=0.0,
                   help="auxiliary classifier loss weight (D on real, G on fake); 0: no class head")
    p.add_argument("--ms-weight", type=float, default=0.0, help="mode-seeking term weight (0: off)")
    p.add_argument("--spread-weight", type=float, default=0.0,
                   help="weight of the per-class spread term in D's features (0: off)")
    p.add_argument("--init-from", metavar="CKPT",
                   help="start from another run's checkpoint (networks, EMA) instead of from scratch")
    p.add_argument("--init-generator", metavar="FILE.keras",
                   help="start G and its EMA from a generator file (D starts fresh)")
    p.add_argument("--d-warmup", type=int, default=0,
                   help="D-only updates before training (for a fresh D against a trained G)")
    p.add_argument("--class-boost", metavar="CLASS=W,...",
                   help="sample these classes W times as often, in D's real batches and G's labels")
    p.add_argument("--pixel-spread-weight", type=float, default=0.0,
                   help="weight of the per-class spread term measured in pixels (0: off)")
    p.add_argument("--spread-class-weight", metavar="CLASS=W,...",
                   help="weight W on these classes' spread shortfall (others 1)")
    p.add_argument("--class-scale", action="store_true",
                   help="G gains a per-class gain on its latent features (Embedding, Multiply)")
    p.add_argument("--detail", action="store_true",
                   help="D gains a high-pass input branch and a per-patch score (see --patch-weight)")
    p.add_argument("--patch-weight", type=float, default=0.5,
                   help="weight of the per-patch hinge terms with --detail")
    p.add_argument("--class-std", action="store_true",
                   help="D sees a per-class minibatch standard deviation channel")
    p.add_argument("--ema-start", type=int, default=1000, help="updates before the EMA averages")
    p.add_argument("--max-minutes", type=float, default=60,
                   help="training time budget; when spent, save the checkpoint and export")
    p.add_argument("--max-cpu-minutes", type=float, default=120,
                   help="CPU time budget (user+sys over every thread; 120 = 60 min of 2 cores)")
    p.add_argument("--checkpoint-minutes", type=float, default=10,
                   help="also save the checkpoint this often (wall minutes; 0: only per epoch)")
    p.add_argument("--max-updates", type=int, default=0,
                   help="stop after this many updates in this run (0: no limit); repeatable, "
                        "unlike --max-minutes")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--out", default=here)
    p.add_argument("--checkpoint", help="save the training state here (.pt) after every epoch")
    p.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    p.add_argument("--from-checkpoint", help="skip training, export from this checkpoint")
    p.add_argument("--log-every", type=int, default=100, help="steps between progress lines (0: off)")
    p.add_argument("--compare-with", metavar="OLD.keras",
                   help="score this older generator file too, as the 'old' column")
    p.add_argument("--classifier", help="quality.py's classifier: load from here if present, else save")
    p.add_argument("--bn-batches", type=int, default=100,
                   help="batches of 256 over which the exported G's BatchNorm statistics are taken")
    p.add_argument("--no-quality", action="store_true", help="skip the quality report")
    args = p.parse_args()
    args.class_boost = class_weights(args.class_boost)
    args.spread_class_weight = class_weights(args.spread_class_weight)
    return args


def class_weights(spec):
    """'Bag=3,Sandal=2' (names or indices) -> float tensor [NUM_CLASSES], 1 for the others."""
    if not spec:
        return None
    w = torch.ones(NUM_CLASSES)
    names = {n.lower(): k for k, n in enumerate(LABELS)}
    for item in spec.split(","):
        name, _, value = item.partition("=")
        k = int(name) if name.isdigit() else names.get(name.strip().lower())
        if k is None or not 0 <= k < NUM_CLASSES:
            raise SystemExit(f"train.py: unknown class {name!r} in {spec!r}")
        w[k] = float(value)
    return w


def spec_text(weights):
    if weights is None:
        return "none"
    return ",".join(f"{LABELS[k]}={float(w):g}" for k, w in enumerate(weights) if w != 1)


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    gen, disc = Generator(class_scale=args.class_scale), Discriminator(
        class_head=args.ac_weight > 0, class_std=args.class_std, detail=args.detail)
    gen.apply(init_dcgan)
    trainer = Trainer(gen, disc, args)

    start = time.time()
    if args.from_checkpoint:
        trainer.load_state_dict(torch.load(args.from_checkpoint))
    else:
        images, labels = load_fashion_mnist(args.data)
        if args.init_from and not args.resume:
            base = torch.load(args.init_from)
            trainer.init_from(base)
            print(f"initialised from {args.init_from} (epoch {base['epoch']} step {base['step']}, "
                  f"{base['trained_seconds'] / 60:.1f} min trained there)", flush=True)
        if args.init_generator and not args.resume:
            import keras_reader
            trainer.init_generator(keras_reader.load_generator(args.init_generator).state_dict())
            print(f"G and its EMA initialised from {args.init_generator}; D fresh", flush=True)
        if args.resume:
            trainer.load_state_dict(torch.load(args.checkpoint))
            print(f"resumed {args.checkpoint} at epoch {trainer.epoch} step {trainer.step}, "
                  f"{trainer.trained_seconds / 60:.1f} min trained", flush=True)
        print(f"data: {images.shape[0]} images; {args.epochs} epochs of batch {args.batch_size}; "
              f"lr G {args.lr_g} D {args.lr_d}; EMA {args.ema_decay}; AC {args.ac_weight}; "
              f"MS {args.ms_weight}; spread {args.spread_weight}; seed {args.seed}; "
              f"class boost {spec_text(args.class_boost)}; spread class weight "
              f"{spec_text(args.spread_class_weight)}; pixel spread {args.pixel_spread_weight}; "
              f"class std {args.class_std}; "
              f"class scale {args.class_scale}; "
              f"detail {args.detail} (patch weight {args.patch_weight}); "
              f"D warm-up {args.d_warmup}; "
              f"{args.threads} threads; budget {args.max_minutes} min wall, "
              f"{args.max_cpu_minutes} min CPU", flush=True)
        gen.train()
        disc.train()
        trainer.warm_up_discriminator(images, labels)
        trainer.run(images, labels)
    print(f"training time {trainer.trained_seconds / 60:.1f} min wall, "
          f"{trainer.cpu_seconds / 60:.1f} min CPU", flush=True)
    # The EMA generator is the one exported; its BN statistics are those of its own weights.
    final = trainer.ema
    recalibrate_batch_norm(final, batches=args.bn_batches, batch_size=256)
    print(f"BatchNorm statistics recomputed over {args.bn_batches} batches; wall time "
          f"{time.time() - start:.0f}s", flush=True)

    os.makedirs(args.out, exist_ok=True)
    keras_path = os.path.join(args.out, "generator.keras")
    export_keras(final, keras_path)
    export_onnx(final, os.path.join(args.out, "generator.onnx"))
    write_model_json(os.path.join(args.out, "model.json"))
    write_samples(final, os.path.join(args.out, "samples"), seed=args.seed + 1)
    print(f"wrote generator.keras, generator.onnx, model.json, samples/ to {args.out}; "
          f"wall time {time.time() - start:.0f}s", flush=True)

    if not args.no_quality:
        import quality  # scores the exported file, with a classifier of its own
        import keras_reader
        scorer = quality.make_scorer(args.data, cache=args.classifier,
                                     log=lambda line: print(line, flush=True))
        models = {}
        if args.compare_with:
            models["old"] = keras_reader.load_generator(args.compare_with)
        models["new"] = keras_reader.load_generator(keras_path)
        quality.report(scorer, models, log=lambda line: print(line, flush=True))


if __name__ == "__main__":
    main()
