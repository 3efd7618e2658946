#!/usr/bin/env python3
"""Replays the fuzz corpora and crash reproducers through a live ganserve
with a model repository, and checks that it never stops serving.

The server (build/server/ganserve --model_repository) starts on a temporary
repository holding one good model. Every replayed file goes into a folder of
its own as the model file, a batch of folders per poll; once the server has
logged each folder's outcome the script checks, with ganctl, that the good
model still answers the same images, and that the server's pid is alive.
A refused file must give one model_load_failed line naming it.

Phase "files" (the real ganserve-load): tests/fuzz/corpus/keras (as .keras
when the bytes are a zip, else .h5) and tests/fuzz/corpus/onnx (.onnx); with
--full also every fixture under tests/fixtures/keras and tests/fixtures/onnx
with 4 windows of 8 bytes overwritten by 0x00 and by 0xff at a stride, as the
corpus tests mangle them.
Phase "answers" (misbehaving_loader, which hands back a file's bytes as its
answer): the wire form of every fixture model (write_wire_seeds, the seeds of
model_wire_fuzz), each intact, truncated and with windows overwritten, so
the server's answer decoder sees what a hostile child could write.

Prints the counts (files replayed, loaded, refused by reason, server stops),
the server's RSS at the start, after the first batch and at its peak (each
taken with that batch's models loaded) and at the end (after they went), and
exits non-zero when the server stopped, a good-model answer changed or a
refusal did not name its file.
"""

import argparse
import collections
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SOURCE = pathlib.Path(__file__).resolve().parents[2]
GOOD_MODEL = SOURCE / "tests/fixtures/onnx/flat_mlp_op13.onnx"
FAILED = re.compile(r'model_load_failed model=(\S+) reason=(\S+) error="(.*)"$')
SERVING = re.compile(r"model_serving model=(\S+) version=")
LISTENING = re.compile(r"listening address=\S+ port=(\d+)")
ANSWER_MARKER = b"misbehave answer\n"


def mangled(data, windows):
    """Variants of `data`: `windows` 8-byte windows at a stride, each
    overwritten with 0x00 and with 0xff."""
    stride = len(data) // windows + 1
    for at in range(0, len(data) - 7, stride):
        for fill in (b"\0", b"\xff"):
            yield data[:at] + fill * 8 + data[at + 8:]


def keras_extension(data):
    return ".keras" if data[:2] == b"PK" else ".h5"


def corpus_files():
    """(label, extension, bytes) of each saved reproducer."""
    for path in sorted((SOURCE / "tests/fuzz/corpus/keras").iterdir()):
        data = path.read_bytes()
        yield f"corpus/keras/{path.name}", keras_extension(data), data
    for path in sorted((SOURCE / "tests/fuzz/corpus/onnx").iterdir()):
        yield f"corpus/onnx/{path.name}", ".onnx", path.read_bytes()


def mangled_fixtures(windows):
    for folder in ("keras", "onnx"):
        for path in sorted((SOURCE / "tests/fixtures" / folder).iterdir()):
            if path.suffix not in (".h5", ".keras", ".onnx"):
                continue
            for i, data in enumerate(mangled(path.read_bytes(), windows)):
                yield f"mangled/{folder}/{path.name}#{i}", path.suffix, data


def wire_answers(seeds_dir, full):
    """Answers a hostile child could write: each fixture's wire form intact,
    cut short, and mangled."""
    seeds = sorted(seeds_dir.iterdir())
    if not full:
        seeds = seeds[:4]
    for path in seeds:
        data = path.read_bytes()
        variants = [("intact", data)]
        for part in (1, 2, 3) if full else (2,):
            variants.append((f"cut{part}", data[:len(data) * part // 4]))
        for i, bad in enumerate(mangled(data, 4 if full else 3)):
            variants.append((f"mangled{i}", bad))
        for name, bytes_ in variants:
            yield f"answer/{path.name}#{name}", ".onnx", ANSWER_MARKER + bytes_


class Server:
    def __init__(self, args, repo, loader, log_path):
        self.log_path = log_path
        self.log_file = open(log_path, "w")
        self.process = subprocess.Popen(
            [args.ganserve, "--address=127.0.0.1:0", "--metrics_port=-1", "--http_port=-1",
             f"--model_repository={repo}", "--repository_poll_s=1",
             f"--loader_binary={loader}", "--loader_memory_mb=1024", "--loader_timeout_s=30"],
            stdout=self.log_file, stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.time() + 120
        while self.port is None:
            if self.process.poll() is not None or time.time() > deadline:
                sys.exit(f"ganserve did not start; its log:\n{self.log()}")
            match = LISTENING.search(self.log())
            if match:
                self.port = int(match.group(1))
            else:
                time.sleep(0.1)

    def log(self):
        return pathlib.Path(self.log_path).read_text(errors="replace")

    def alive(self):
        return self.process.poll() is None

    def rss_kb(self):
        for line in pathlib.Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return -1

    def stop(self):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log_file.close()


def good_images(args, port, out):
    """The good model's images for a fixed seed, as ganctl writes them."""
    shutil.rmtree(out, ignore_errors=True)
    run = subprocess.run(
        [args.ganctl, "generate", f"--target=127.0.0.1:{port}", "--model=good", "--seed=7",
         "-n", "4", "-o", f"{out}/"], capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        return None
    return {p.name: p.read_bytes() for p in sorted(pathlib.Path(out).iterdir())}


def replay(args, phase, loader, files, work, totals):
    repo = work / f"repo_{phase}"
    (repo / "good").mkdir(parents=True)
    shutil.copy(GOOD_MODEL, repo / "good/generator.onnx")
    server = Server(args, repo, loader, work / f"ganserve_{phase}.log")
    try:
        return replay_into(args, phase, server, repo, files, work, totals)
    finally:
        server.stop()


def replay_into(args, phase, server, repo, files, work, totals):
    reference = good_images(args, server.port, work / "reference")
    if not reference:
        sys.exit(f"the good model did not answer; log:\n{server.log()}")
    rss = {"start": server.rss_kb()}
    batch, problems = [], []
    files = list(files)

    def settle():
        # Every folder of the batch has its outcome in the log.
        deadline = time.time() + 120
        while True:
            outcome = {}
            for line in server.log().splitlines():
                if (m := FAILED.search(line)) or (m := SERVING.search(line)):
                    outcome.setdefault(m.group(1), line)
            if all(name in outcome for name, _, _ in batch) or time.time() > deadline:
                break
            if not server.alive():
                break
            time.sleep(0.2)
        for name, label, path in batch:
            line = outcome.get(name)
            totals["replayed"] += 1
            if line is None:
                problems.append(f"{label}: no outcome logged")
                totals["no outcome"] += 1
            elif m := FAILED.search(line):
                totals[f"refused {m.group(2)}"] += 1
                if m.group(3).count(str(path)) != 1:
                    problems.append(f"{label}: the refusal does not name {path} once: {line}")
            else:
                totals["loaded"] += 1
        if not server.alive():
            totals["server stops"] += 1
            sys.exit(f"ganserve stopped during {[b[1] for b in batch]}; log:\n{server.log()}")
        if good_images(args, server.port, work / "after") != reference:
            problems.append(f"the good model's images changed after {[b[1] for b in batch]}")
        for name, _, _ in batch:
            shutil.rmtree(repo / name)
        batch.clear()
        rss.setdefault("after batch 1", server.rss_kb())
        rss["peak"] = max(rss.get("peak", 0), server.rss_kb())

    for i, (label, ext, data) in enumerate(files):
        name = f"{phase}_{i:05d}"
        path = repo / name / f"generator{ext}"
        path.parent.mkdir()
        path.write_bytes(data)
        batch.append((name, label, path))
        if len(batch) == args.batch:
            settle()
    if batch:
        settle()
    time.sleep(3)  # the next polls unload the last batch
    rss["end"] = server.rss_kb()
    totals[f"{phase}: rss kB"] = ", ".join(f"{k} {v}" for k, v in rss.items())
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=str(SOURCE / "build"),
                        help="the build tree holding ganserve, ganctl, ganserve-load, "
                             "misbehaving_loader and write_wire_seeds")
    parser.add_argument("--full", action="store_true",
                        help="also mangled fixtures and every wire seed (tens of minutes)")
    parser.add_argument("--batch", type=int, default=8, help="folders dropped per poll")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))  # stop the server too
    build = pathlib.Path(args.build).resolve()
    args.ganserve = str(build / "server/ganserve")
    args.ganctl = str(build / "client/ganctl")
    with tempfile.TemporaryDirectory(prefix="ganserve_replay_") as tmp:
        work = pathlib.Path(tmp)
        seeds = work / "wire_seeds"
        seeds.mkdir()
        subprocess.run([str(build / "tests/fuzz/write_wire_seeds"), str(SOURCE), str(seeds)],
                       check=True, stdout=subprocess.DEVNULL)
        model_files = list(corpus_files())
        if args.full:
            model_files += list(mangled_fixtures(4))
        totals = collections.Counter()
        started = time.time()
        problems = replay(args, "files", str(build / "engine/loader_child/ganserve-load"),
                          model_files, work, totals)
        problems += replay(args, "answers",
                           str(build / "tests/engine/loader_child/misbehaving_loader"),
                           wire_answers(seeds, args.full), work, totals)
    totals.setdefault("server stops", 0)
    for key in sorted(totals):
        print(f"{key}: {totals[key]}")
    print(f"elapsed: {time.time() - started:.0f} s")
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems or totals["server stops"] else 0


if __name__ == "__main__":
    sys.exit(main())
