#!/usr/bin/env python3
"""The Python client (client/python) and its examples against a live ganserve
serving the bundled conditional model. Independent expectations: the native
Generate API for ModelInfer and GenerateStream, zlib for the PNG files the
examples write, and the model's metadata for their sizes."""

import argparse
import json
import os
import pathlib
import re
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import unittest
import zlib

import numpy as np

import ganserve_client

MODEL = "fashion-cgan"
ARGS = None
TARGET = None


def read_png(data):
    """(width, height, channels, raw scanlines) of a PNG: chunks parsed and
    CRC-checked, IDAT inflated, its length checked against the header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    at, idat, header = 8, b"", None
    while at < len(data):
        (length,) = struct.unpack_from(">I", data, at)
        kind = data[at + 4:at + 8]
        body = data[at + 8:at + 8 + length]
        (crc,) = struct.unpack_from(">I", data, at + 8 + length)
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, color = header[:4]
    channels = {0: 1, 4: 2, 2: 3, 6: 4}[color]
    assert depth == 8
    scanlines = zlib.decompress(idat)
    assert len(scanlines) == height * (1 + width * channels), "IDAT size does not match IHDR"
    return width, height, channels


class LiveGanserve:
    def __init__(self, binary):
        self.process = subprocess.Popen(
            [binary, "--address=127.0.0.1:0", "--metrics_port=-1", "--http_port=-1",
             "--repository_poll_s=0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.log = []
        port = None
        for line in self.process.stderr:
            self.log.append(line)
            match = re.search(r"listening address=\S+ port=(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        if port is None:
            raise RuntimeError("ganserve did not start:\n" + "".join(self.log))
        self.target = f"127.0.0.1:{port}"
        threading.Thread(target=self._drain_log, daemon=True).start()

    def _drain_log(self):
        for line in self.process.stderr:
            self.log.append(line)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)


class PythonClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = ganserve_client.Client(TARGET)
        info = next(m for m in cls.client.models() if m.name == MODEL)
        cls.size = (info.output_width, info.output_height, info.output_channels)
        cls.latent_size = info.latent_size

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def run_example(self, name, *flags):
        out = tempfile.mkdtemp()
        subprocess.run([sys.executable, os.path.join(ARGS.examples, name), "--target", TARGET,
                        "--out", out, *flags], check=True, stdout=subprocess.DEVNULL,
                       timeout=60)
        return sorted(pathlib.Path(out).glob("*.png"))

    def assert_pngs(self, paths, count):
        self.assertEqual(len(paths), count)
        for path in paths:
            self.assertEqual(read_png(path.read_bytes()), self.size)

    def test_examples_write_pngs_of_the_models_size(self):
        self.assert_pngs(self.run_example("generate.py", "--model", MODEL, "--count", "3",
                                          "--label", "2"), 3)
        self.assert_pngs(self.run_example("generate_stream.py", "--model", MODEL, "--count", "5",
                                          "--label", "7"), 5)
        self.assert_pngs(self.run_example("model_infer.py", "--model", MODEL, "--count", "2",
                                          "--label", "1"), 2)
        self.assert_pngs(self.run_example("model_infer.py", "--model", MODEL, "--count", "2",
                                          "--label", "1", "--random-latents"), 2)

    def test_model_infer_seed_equals_generate_and_stream(self):
        native = [image.data for image in self.client.generate(MODEL, seed=11, count=3,
                                                                labels=[4])]
        streamed = [image.data for image in self.client.generate_stream(MODEL, seed=11, count=3,
                                                                         labels=[4])]
        inferred = self.client.model_infer(MODEL, seed=11, count=3, labels=[4],
                                           request_id="py-1")["png"]
        self.assertEqual(inferred, native)
        self.assertEqual(streamed, native)

    def test_model_infer_latents_equal_generate_as_floats_and_bytes(self):
        latents = np.random.default_rng(3).standard_normal((2, self.latent_size),
                                                           dtype=np.float32)
        labels = [0, 9]
        result = self.client.model_infer(MODEL, latents=latents, labels=labels,
                                         outputs=("image", "image_uint8"))
        floats = self.client.generate(MODEL, latents=latents, labels=labels,
                                      image_format=ganserve_client.RAW_FLOAT32)
        raw8 = self.client.generate(MODEL, latents=latents, labels=labels,
                                    image_format=ganserve_client.RAW_UINT8)
        self.assertEqual(result["image"].dtype, np.float32)
        self.assertEqual(result["image"].shape[0], 2)
        self.assertEqual(result["image"].tobytes(), b"".join(i.data for i in floats))
        width, height, channels = self.size
        self.assertEqual(result["image_uint8"].shape, (2, height, width, channels))
        self.assertEqual(result["image_uint8"].tobytes(), b"".join(i.data for i in raw8))

    def test_metadata_and_errors(self):
        self.assertTrue(self.client.server_ready())
        metadata = self.client.model_metadata(MODEL)
        self.assertEqual([t.name for t in metadata.inputs], ["latent", "label"])
        self.assertEqual(list(metadata.inputs[0].shape), [-1, self.latent_size])
        self.assertEqual([t.name for t in metadata.outputs], ["image", "image_uint8", "png"])
        with self.assertRaises(ganserve_client.grpc.RpcError) as error:
            self.client.model_infer(MODEL, seed=1, count=1)  # no label for a conditional model
        self.assertEqual(error.exception.code(), ganserve_client.grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("missing input 'label'", error.exception.details())


class FleetTest(unittest.TestCase):
    """The client's service config (client/service_config.json) over three
    replicas: one SIGKILLed and one SIGTERMed mid-run fail no call."""

    def test_service_config_is_the_shared_file(self):
        shared = json.loads((pathlib.Path(ARGS.examples).parent.parent / "service_config.json")
                            .read_text())
        options = dict(ganserve_client.channel_options("ipv4:127.0.0.1:1,127.0.0.1:2"))
        self.assertEqual(json.loads(options["grpc.service_config"]), shared)
        single = json.loads(dict(ganserve_client.channel_options("127.0.0.1:1"))
                            ["grpc.service_config"])
        self.assertNotIn("loadBalancingConfig", single)
        self.assertEqual(single["methodConfig"], shared["methodConfig"])

    def test_losing_two_of_three_replicas_fails_no_call(self):
        replicas = [LiveGanserve(ARGS.ganserve) for _ in range(3)]
        try:
            target = "ipv4:" + ",".join(r.target for r in replicas)
            failures, done = [], [0, 0]
            stop = threading.Event()
            lock = threading.Lock()
            with ganserve_client.Client(target) as client:
                def call_in_a_loop(worker):
                    seed = worker * 100000
                    while not stop.is_set():
                        seed += 1
                        try:
                            client.generate(MODEL, seed=seed, count=1, labels=[3], timeout=20)
                            with lock:
                                done[phase[0]] += 1
                        except ganserve_client.grpc.RpcError as error:
                            failures.append(f"{error.code()}: {error.details()}")
                phase = [0]
                workers = [threading.Thread(target=call_in_a_loop, args=(i,)) for i in range(8)]
                for worker in workers:
                    worker.start()
                stop.wait(1.5)
                replicas[0].process.send_signal(signal.SIGKILL)
                replicas[1].process.send_signal(signal.SIGTERM)
                stop.wait(0.5)
                phase[0] = 1
                stop.wait(1.5)
                stop.set()
                for worker in workers:
                    worker.join()
            self.assertEqual(failures, [])
            self.assertGreater(done[0], 0)
            self.assertGreater(done[1], 0, "the last replica kept serving")
        finally:
            for replica in replicas:
                replica.stop()


def main():
    global ARGS, TARGET
    parser = argparse.ArgumentParser()
    parser.add_argument("--ganserve", required=True)
    parser.add_argument("--examples", required=True)
    ARGS, rest = parser.parse_known_args()
    server = LiveGanserve(ARGS.ganserve)
    TARGET = server.target
    try:
        result = unittest.main(argv=[sys.argv[0]] + rest, exit=False).result
    finally:
        server.stop()
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
