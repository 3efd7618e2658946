"""A small Python client for ganserve: the native ganserve.v1.Generator API
and the Open Inference Protocol's inference.GRPCInferenceService.

The gRPC stubs are generated from the project's protos at build time (into
build/client/python); put that folder and this one on PYTHONPATH.
"""

import json
import pathlib
import struct

import grpc
import numpy as np

from ganserve.v1 import generator_pb2, generator_pb2_grpc
from inference import grpc_service_pb2, grpc_service_pb2_grpc

PNG = generator_pb2.IMAGE_FORMAT_PNG
RAW_UINT8 = generator_pb2.IMAGE_FORMAT_RAW_UINT8
RAW_FLOAT32 = generator_pb2.IMAGE_FORMAT_RAW_FLOAT32

# Open Inference Protocol datatypes of the tensors ganserve takes and gives.
_DTYPES = {"FP32": np.float32, "INT32": np.int32, "INT64": np.int64, "UINT8": np.uint8}


# The service config ganctl runs too (README "Clients: retries and health").
_SERVICE_CONFIG = json.loads(
    (pathlib.Path(__file__).resolve().parent.parent / "service_config.json").read_text())


def channel_options(target):
    """gRPC channel options for `target`: retries on UNAVAILABLE always; over a
    list of addresses ("ipv4:a:1,b:2") or a resolver URI ("dns:///…") also
    round_robin over the replicas grpc.health.v1 reports serving."""
    config = dict(_SERVICE_CONFIG)
    if not (target.startswith(("ipv4:", "ipv6:", "unix:")) or "://" in target):
        config.pop("loadBalancingConfig")
        config.pop("healthCheckConfig")
    return [("grpc.service_config", json.dumps(config)),
            ("grpc.enable_retries", 1),
            # A restarted replica is back in the rotation within about 2 s.
            ("grpc.max_reconnect_backoff_ms", 2000)]


class Client:
    """One channel to one ganserve or a fleet of them, with both APIs on it."""

    def __init__(self, target, token=None, root_certificates=None):
        options = channel_options(target)
        if root_certificates is None:
            self._channel = grpc.insecure_channel(target, options=options)
        else:
            credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
            self._channel = grpc.secure_channel(target, credentials, options=options)
        self._metadata = (("authorization", "Bearer " + token),) if token else ()
        self.generator = generator_pb2_grpc.GeneratorStub(self._channel)
        self.inference = grpc_service_pb2_grpc.GRPCInferenceServiceStub(self._channel)

    def close(self):
        self._channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- ganserve.v1.Generator -------------------------------------------

    @staticmethod
    def _generate_request(model, seed, count, labels, latents, truncation, image_format):
        request = generator_pb2.GenerateRequest(model=model, format=image_format)
        if latents is not None:
            request.latents.values.extend(np.asarray(latents, np.float32).ravel().tolist())
        else:
            request.sampling.seed = seed
            request.sampling.count = count
            request.sampling.truncation = truncation
        request.labels.extend(int(label) for label in labels)
        return request

    def generate(self, model="", seed=0, count=1, labels=(), latents=None, truncation=0.0,
                 image_format=PNG, timeout=None):
        """The GeneratedImage messages of one Generate call, in request order."""
        request = self._generate_request(model, seed, count, labels, latents, truncation,
                                         image_format)
        response = self.generator.Generate(request, timeout=timeout, metadata=self._metadata)
        return list(response.images)

    def generate_stream(self, model="", seed=0, count=1, labels=(), latents=None,
                        truncation=0.0, image_format=PNG, timeout=None):
        """Yields GeneratedImage messages as the server finishes them."""
        request = self._generate_request(model, seed, count, labels, latents, truncation,
                                         image_format)
        yield from self.generator.GenerateStream(request, timeout=timeout,
                                                 metadata=self._metadata)

    def models(self):
        return list(self.generator.ListModels(generator_pb2.ListModelsRequest(),
                                              metadata=self._metadata).models)

    # --- inference.GRPCInferenceService ----------------------------------

    def server_ready(self):
        return self.inference.ServerReady(grpc_service_pb2.ServerReadyRequest(),
                                          metadata=self._metadata).ready

    def model_metadata(self, model):
        return self.inference.ModelMetadata(grpc_service_pb2.ModelMetadataRequest(name=model),
                                            metadata=self._metadata)

    def model_infer(self, model, latents=None, labels=None, seed=None, count=None,
                    truncation=None, outputs=("png",), request_id="", timeout=None):
        """ModelInfer with raw tensors. Returns {output name: value}: a numpy
        array for image and image_uint8, a list of PNG byte strings for png."""
        request = grpc_service_pb2.ModelInferRequest(model_name=model, id=request_id)
        if latents is not None:
            _add_input(request, "latent", "FP32", np.asarray(latents, np.float32))
        if labels is not None:
            _add_input(request, "label", "INT32", np.asarray(labels, np.int32).ravel())
        for name, value in (("seed", seed), ("count", count)):
            if value is not None:
                request.parameters[name].int64_param = int(value)
        if truncation is not None:
            request.parameters["truncation"].double_param = float(truncation)
        for name in outputs:
            request.outputs.add(name=name)
        response = self.inference.ModelInfer(request, timeout=timeout, metadata=self._metadata)
        if response.id != request_id:
            raise RuntimeError(f"ModelInfer answered id {response.id!r} for {request_id!r}")
        return {tensor.name: _decode_output(tensor, raw)
                for tensor, raw in zip(response.outputs, response.raw_output_contents)}


def _add_input(request, name, datatype, array):
    tensor = request.inputs.add(name=name, datatype=datatype)
    tensor.shape.extend(array.shape)
    request.raw_input_contents.append(array.astype(array.dtype.newbyteorder("<")).tobytes())


def _decode_output(tensor, raw):
    if tensor.datatype == "BYTES":
        return split_bytes(raw)
    return np.frombuffer(raw, dtype=np.dtype(_DTYPES[tensor.datatype]).newbyteorder("<")).reshape(
        tuple(tensor.shape))


def split_bytes(raw):
    """A BYTES tensor's raw content: each element as a 4-byte little-endian
    length followed by that many bytes."""
    elements, at = [], 0
    while at < len(raw):
        (length,) = struct.unpack_from("<I", raw, at)
        elements.append(raw[at + 4:at + 4 + length])
        at += 4 + length
    return elements


def example_arguments(description, count=4):
    """The command line the examples share: where, which model, what to draw
    and where the PNG files go."""
    import argparse
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--target", default="localhost:50051")
    parser.add_argument("--model", default="")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=count)
    parser.add_argument("--label", type=int, action="append", default=[],
                        help="class label (conditional models); repeat for one per image")
    parser.add_argument("--token", default=None, help="bearer token, if the server wants one")
    parser.add_argument("--out", default="images", help="folder for the PNG files")
    return parser


def write_png(folder, name, data):
    """Writes one PNG into `folder` (made if missing) and prints its path."""
    import pathlib
    path = pathlib.Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    path = path / name
    path.write_bytes(data)
    print(path)
