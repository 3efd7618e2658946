"""Writes a Keras 3 `.keras` zip (config.json, metadata.json, model.weights.h5) without Keras.

The layout follows what Keras 3.8 `model.save("x.keras")` produces for a Functional model:
layer entries with module/class_name/config/registered_name, `__keras_tensor__` inbound
nodes, and weights under `layers/<snake_case class name>[_N]/vars/<i>`, where the per-class
counter runs over the layers in config order (Keras names weight groups by class, not by
layer name).
"""

import datetime
import io
import json
import re
import zipfile

import h5py
import numpy as np

KERAS_VERSION = "3.8.0"


def dtype_policy():
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
            "registered_name": None}


def initializer(class_name, **config):
    return {"module": "keras.initializers", "class_name": class_name, "config": config,
            "registered_name": None}


def glorot():
    return initializer("GlorotUniform", seed=None)


def snake_case(class_name):
    # Keras' naming.to_snake_case: "Conv2DTranspose" -> "conv2d_transpose".
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


class FunctionalBuilder:
    """Collects layers of a Functional model in topological order, with their weights."""

    def __init__(self, name):
        self.name = name
        self.layers = []   # config entries
        self.weights = []  # (class_name, layer_name, [arrays]) in the same order
        self.shapes = {}   # layer name -> output shape (batch dim None)
        self.inputs = []

    def add_input(self, name, shape, dtype="float32"):
        batch_shape = [None, *shape]
        self.layers.append({"module": "keras.layers", "class_name": "InputLayer",
                            "config": {"batch_shape": batch_shape, "dtype": dtype, "sparse": False,
                                       "name": name},
                            "registered_name": None, "name": name, "inbound_nodes": []})
        self.weights.append(("InputLayer", name, []))
        self.shapes[name] = batch_shape
        self.inputs.append(name)
        return name

    def add(self, class_name, name, config, inputs, out_shape, weights=(), build=True):
        """Adds a layer called on `inputs` (a layer name, or a list for merge layers)."""
        in_names = inputs if isinstance(inputs, list) else [inputs]
        tensors = [self._keras_tensor(n) for n in in_names]
        arg = tensors if isinstance(inputs, list) else tensors[0]
        full_config = {"name": name, "trainable": True, "dtype": dtype_policy(), **config}
        entry = {"module": "keras.layers", "class_name": class_name, "config": full_config,
                 "registered_name": None}
        if build:  # only layers with their own build() record a build_config
            in_shapes = [self.shapes[n] for n in in_names]
            entry["build_config"] = {"input_shape": in_shapes if isinstance(inputs, list) else in_shapes[0]}
        entry["name"] = name
        entry["inbound_nodes"] = [{"args": [arg], "kwargs": {}}]
        self.layers.append(entry)
        self.weights.append((class_name, name, [np.asarray(w, dtype=np.float32) for w in weights]))
        self.shapes[name] = [None, *out_shape]
        return name

    def _keras_tensor(self, layer_name):
        return {"class_name": "__keras_tensor__",
                "config": {"shape": self.shapes[layer_name], "dtype": "float32",
                           "keras_history": [layer_name, 0, 0]}}

    def config(self, output):
        return {"module": "keras.src.models.functional", "class_name": "Functional",
                "config": {"name": self.name, "trainable": True, "layers": self.layers,
                           "input_layers": [[n, 0, 0] for n in self.inputs],
                           "output_layers": [[output, 0, 0]]},
                "registered_name": "Functional", "build_config": {"input_shape": None}}

    def weights_h5(self):
        buf = io.BytesIO()
        with h5py.File(buf, "w") as f:
            layers = f.create_group("layers")
            used = {}
            for class_name, layer_name, arrays in self.weights:
                base = snake_case(class_name)
                used[base] = used.get(base, -1) + 1
                path = base if used[base] == 0 else f"{base}_{used[base]}"
                vars_group = layers.create_group(path).create_group("vars")
                vars_group.attrs["name"] = layer_name
                for i, a in enumerate(arrays):
                    vars_group.create_dataset(str(i), data=a)
            f.create_group("vars").attrs["name"] = self.name  # the model's own (empty) variables
        return buf.getvalue()

    def save(self, path, output):
        now = datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("metadata.json", json.dumps({"keras_version": KERAS_VERSION, "date_saved": now}))
            z.writestr("config.json", json.dumps(self.config(output)))
            z.writestr("model.weights.h5", self.weights_h5())


# Config bodies for the layer kinds the generator uses (Keras 3.8 get_config() keys).

def dense_config(units, activation="linear"):
    return {"units": units, "activation": activation, "use_bias": True,
            "kernel_initializer": glorot(), "bias_initializer": initializer("Zeros"),
            "kernel_regularizer": None, "bias_regularizer": None,
            "kernel_constraint": None, "bias_constraint": None}


def conv2d_config(filters, kernel, activation="linear"):
    return {"filters": filters, "kernel_size": [kernel, kernel], "strides": [1, 1], "padding": "same",
            "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
            "activation": activation, "use_bias": True,
            "kernel_initializer": glorot(), "bias_initializer": initializer("Zeros"),
            "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
            "kernel_constraint": None, "bias_constraint": None}


def conv2d_transpose_config(filters, kernel, stride):
    return {"filters": filters, "kernel_size": [kernel, kernel], "strides": [stride, stride],
            "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1],
            "activation": "linear", "use_bias": True,
            "kernel_initializer": glorot(), "bias_initializer": initializer("Zeros"),
            "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
            "kernel_constraint": None, "bias_constraint": None}


def batch_norm_config(epsilon):
    return {"axis": -1, "momentum": 0.99, "epsilon": epsilon, "center": True, "scale": True,
            "beta_initializer": initializer("Zeros"), "gamma_initializer": initializer("Ones"),
            "moving_mean_initializer": initializer("Zeros"),
            "moving_variance_initializer": initializer("Ones"),
            "beta_regularizer": None, "gamma_regularizer": None,
            "beta_constraint": None, "gamma_constraint": None, "synchronized": False}


def embedding_config(input_dim, output_dim):
    return {"input_dim": input_dim, "output_dim": output_dim,
            "embeddings_initializer": initializer("RandomUniform", seed=None, minval=-0.05, maxval=0.05),
            "embeddings_regularizer": None, "activity_regularizer": None,
            "embeddings_constraint": None, "mask_zero": False}
