#!/usr/bin/python3
"""Scores Fashion-MNIST generators with a classifier trained apart from any GAN.

The classifier (two conv blocks, a 128-unit penultimate layer) is trained on the 60,000
training images with its own seed; its test-set accuracy is reported, overall and per class.
For each generator file, per class and overall:
  accuracy   share of 1,000 generated images per class the classifier assigns to that class
  diversity  mean pairwise distance of 256 generated images of a class in penultimate
             features / the same for 256 real test images of the class (1.0 = as varied)
  FID        Frechet distance of penultimate features: per class 1,000 generated vs the
             class's 1,000 test images; overall 10,000 generated vs the 10,000 test images
The latents are drawn from a fixed seed, so two files are scored on the same latents.

Usage: nice -n 19 /usr/bin/python3 models/fashion-cgan/quality.py \
           --model old=/tmp/old/generator.keras --model new=models/fashion-cgan/generator.keras
train.py runs the same after it exports (--compare-with OLD.keras adds the old column).
"""

import argparse
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see train.py

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_reader  # noqa: E402
import train  # noqa: E402

SAMPLES_PER_CLASS = 1000
DIVERSITY_SAMPLES = 256
EVAL_SEED = 2024  # latents for scoring; unrelated to any training seed


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.25))
        self.penultimate = nn.Sequential(nn.Linear(64 * 7 * 7, 128), nn.ReLU())
        self.head = nn.Sequential(nn.Dropout(0.25), nn.Linear(128, 10))

    def features(self, x):
        return self.penultimate(self.conv(x))

    def forward(self, x):
        return self.head(self.features(x))


def load_split(data_dir, prefix):
    images = train.read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"))
    labels = train.read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.astype(np.float32) / 127.5 - 1.0).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


@torch.no_grad()
def batched(fn, x, batch=1000):
    return torch.cat([fn(x[i:i + batch]) for i in range(0, x.shape[0], batch)])


def train_classifier(train_x, train_y, epochs=4, seed=0, log=print):
    torch.manual_seed(seed)
    clf = Classifier()
    opt = torch.optim.Adam(clf.parameters(), lr=1e-3)
    steps = train_x.shape[0] // 128
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * steps)
    start = time.time()
    for epoch in range(epochs):
        clf.train()
        order = torch.randperm(train_x.shape[0])
        for step in range(steps):
            idx = order[step * 128:(step + 1) * 128]
            x = train_x[idx]
            x = torch.where(torch.rand(x.shape[0], 1, 1, 1) < 0.5, x, x.flip(3))  # mirror
            loss = F.cross_entropy(clf(x), train_y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        log(f"classifier epoch {epoch + 1}/{epochs}  loss {loss.item():.4f}  {time.time() - start:.0f}s")
    return clf.eval()


def fid(a, b):
    """Frechet distance between Gaussians fitted to feature rows a and b (float64)."""
    a, b = a.double().numpy(), b.double().numpy()
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # tr sqrt(A B) = tr sqrt(A^1/2 B A^1/2), a symmetric PSD matrix.
    vals, vecs = np.linalg.eigh(cov_a)
    root_a = (vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(root_a @ cov_b @ root_a), 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * cross)


def mean_pairwise_distance(f):
    d = torch.cdist(f.double(), f.double())
    n = f.shape[0]
    return float(d.sum() / (n * (n - 1)))


class Scorer:
    """Holds the classifier and the real test set's features, then scores generators."""

    def __init__(self, classifier, test_x, test_y):
        self.clf = classifier
        self.test_y = test_y
        self.test_f = batched(classifier.features, test_x)
        pred = batched(classifier.head, self.test_f).argmax(1)
        self.real_acc = [float((pred[test_y == k] == k).float().mean()) for k in range(10)]
        self.real_overall = float((pred == test_y).float().mean())
        g = torch.Generator().manual_seed(EVAL_SEED)
        self.real_div = []
        for k in range(10):
            idx = torch.nonzero(test_y == k)[:, 0]
            pick = idx[torch.randperm(idx.shape[0], generator=g)[:DIVERSITY_SAMPLES]]
            self.real_div.append(mean_pairwise_distance(self.test_f[pick]))

    @torch.no_grad()
    def score(self, gen):
        gen.eval()
        g = torch.Generator().manual_seed(EVAL_SEED)
        feats, acc, div, class_fid = [], [], [], []
        for k in range(10):
            z = torch.randn(SAMPLES_PER_CLASS, train.LATENT_DIM, generator=g)
            x = batched(lambda zz: gen(zz, torch.full((zz.shape[0],), k, dtype=torch.int64)), z, 250)
            f = batched(self.clf.features, x)
            feats.append(f)
            acc.append(float((self.clf.head(f).argmax(1) == k).float().mean()))
            div.append(mean_pairwise_distance(f[:DIVERSITY_SAMPLES]) / self.real_div[k])
            class_fid.append(fid(f, self.test_f[self.test_y == k]))
        allf = torch.cat(feats)
        return {"acc": acc, "div": div, "fid": class_fid, "acc_all": float(np.mean(acc)),
                "div_all": float(np.mean(div)), "fid_all": fid(allf, self.test_f)}


def table(scorer, results):
    """Markdown table: one row per class and one overall; a column group per generator."""
    names = list(results)
    head = ["class", "real acc"] + [f"{n} acc" for n in names] + [f"{n} div" for n in names] + \
        [f"{n} FID" for n in names]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]

    def row(label, real, k):
        cells = [label, f"{100 * real:.1f}"]
        for metric, fmt in (("acc", "{:.1f}"), ("div", "{:.2f}"), ("fid", "{:.2f}")):
            for n in names:
                v = results[n][f"{metric}_all"] if k is None else results[n][metric][k]
                cells.append(fmt.format(100 * v if metric == "acc" else v))
        return "| " + " | ".join(cells) + " |"

    for k, label in enumerate(train.LABELS):
        lines.append(row(label, scorer.real_acc[k], k))
    lines.append(row("**all**", scorer.real_overall, None))
    return "\n".join(lines)


def targets(scorer, result, old=None):
    """Lines saying which of the issue's targets a result meets."""
    acc_ok = [result["acc"][k] >= scorer.real_acc[k] - 0.05 for k in range(10)]
    div_ok = [d >= 0.8 for d in result["div"]]
    out = [f"target accuracy >= real - 5 points: {sum(acc_ok)}/10 classes"
           + ("" if all(acc_ok) else f" (misses: {[train.LABELS[k] for k in range(10) if not acc_ok[k]]})"),
           f"target diversity >= 0.8: {sum(div_ok)}/10 classes"
           + ("" if all(div_ok) else f" (misses: {[train.LABELS[k] for k in range(10) if not div_ok[k]]})")]
    if old is not None:
        ratio = result["fid_all"] / old["fid_all"]
        out.append(f"target FID <= half the old: {result['fid_all']:.2f} vs {old['fid_all']:.2f} "
                   f"(ratio {ratio:.2f}, {'met' if ratio <= 0.5 else 'missed'})")
    return out


def make_scorer(data_dir, seed=0, cache=None, log=print):
    train_x, train_y = load_split(data_dir, "train")
    test_x, test_y = load_split(data_dir, "t10k")
    if cache and os.path.exists(cache):
        clf = Classifier()
        clf.load_state_dict(torch.load(cache))
        clf.eval()
        log(f"classifier: loaded {cache}")
    else:
        clf = train_classifier(train_x, train_y, seed=seed, log=log)
        if cache:
            torch.save(clf.state_dict(), cache)
    scorer = Scorer(clf, test_x, test_y)
    log(f"classifier test accuracy {100 * scorer.real_overall:.2f}% (per class: "
        + ", ".join(f"{n} {100 * a:.1f}" for n, a in zip(train.LABELS, scorer.real_acc)) + ")")
    return scorer


def report(scorer, models, log=print):
    """models: {name: generator}. Scores each, logs the table and the targets, returns results."""
    results = {name: scorer.score(gen) for name, gen in models.items()}
    log(table(scorer, results))
    names = list(results)
    old = results[names[0]] if len(names) > 1 else None
    for line in targets(scorer, results[names[-1]], old):
        log(line)
    return results


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", action="append", required=True, metavar="NAME=FILE.keras",
                   help="a generator.keras to score (repeatable; the last is checked against "
                        "the first for the FID target)")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--seed", type=int, default=0, help="classifier training seed")
    p.add_argument("--classifier", help="load the classifier from here if present, else save it")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    scorer = make_scorer(args.data, args.seed, args.classifier)
    models = {}
    for spec in args.model:
        name, _, path = spec.partition("=")
        models[name] = keras_reader.load_generator(path)
    report(scorer, models)


if __name__ == "__main__":
    main()
