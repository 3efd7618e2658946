#!/usr/bin/python3
"""Writes ONNX fuzz seeds for the ops that mix constants with batched values
(tests/fuzz/corpus/onnx/seed-*.onnx): each is a small, well-formed model the
loader must refuse with a message, so libFuzzer starts from inputs that reach
deep into Tile, Where, Pad and LayerNormalization and onnx_corpus_test replays them every build.

Run with Debian's /usr/bin/python3 (python3-onnx).
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "onnx")


def model(name, nodes, inits, out_dims=None, opset=13):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, 3, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, out_dims)
    graph = helper.make_graph(nodes, name, [x], [y],
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.save(m, os.path.join(OUT, f"seed-{name}.onnx"))


def batch_first(shape_of, rest, out):
    """Nodes making [batch of `shape_of`, *rest] as int64 under name `out`."""
    return [helper.make_node("Shape", [shape_of], ["s"]),
            helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
            helper.make_node("Unsqueeze", ["n", "axes0"], ["n1"]),
            helper.make_node("Concat", ["n1", rest], [out], axis=0)]


def main():
    os.makedirs(OUT, exist_ok=True)
    common = {"zero": np.array(0, np.int64), "axes0": np.array([0], np.int64)}
    # Tile of a constant to the batch whose per-sample repeats make it huge.
    model("tile-huge-repeats", batch_first("x", "rest", "reps") + [
        helper.make_node("Tile", ["c", "reps"], ["y"])],
        dict(common, c=np.ones((1, 2, 3, 3), np.float32),
             rest=np.array([1, 1 << 27, 1 << 27], np.int64)))
    # Tile of a batched value (refused: only constants are tiled).
    model("tile-batched-value", batch_first("x", "rest", "reps") + [
        helper.make_node("Tile", ["x", "reps"], ["y"])],
        dict(common, rest=np.array([1, 2, 1], np.int64)))
    # Where whose condition is a batched value no comparison made (a float).
    model("where-batched-condition", [helper.make_node("Where", ["x", "x", "c"], ["y"])],
        {"c": np.zeros((1, 2, 3, 3), np.float32)})
    # Where between a batched value and a mask of the wrong shape.
    model("where-mask-does-not-broadcast", [
        helper.make_node("Where", ["m", "x", "c"], ["y"])],
        {"m": np.array([[True, False, True, False]]), "c": np.zeros((1,), np.float32)})
    # Pad with a constant value that holds two elements.
    model("pad-two-values", [helper.make_node("Pad", ["x", "p", "v"], ["y"])],
          {"p": np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "v": np.array([1, 2], np.float32)})

    layer_norm_seeds(common)


def layer_norm_seeds(common):
    """LayerNormalization (opset 17) on (N, 2, 3, 3), each refused for one reason."""
    weights = {"s": np.ones((3, 3), np.float32), "b": np.zeros((3, 3), np.float32)}

    def layer_norm(name, inputs=("x", "s", "b"), outputs=("y",), inits=weights, **attrs):
        model(name, [helper.make_node("LayerNormalization", list(inputs), list(outputs), **attrs)],
              inits, opset=17)

    layer_norm("layer-norm-axis-0", axis=0)
    layer_norm("layer-norm-axis-past-rank", axis=4)
    layer_norm("layer-norm-axis-before-rank", axis=-5)
    layer_norm("layer-norm-scale-does-not-broadcast", axis=2,
               inits=dict(weights, s=np.ones((4, 3), np.float32)))
    layer_norm("layer-norm-negative-epsilon", axis=2, epsilon=-1.0)
    layer_norm("layer-norm-batched-scale", inputs=("x", "x", "b"), axis=1,
               inits={"b": np.zeros((2, 3, 3), np.float32)})
    # The Mean output feeds the graph output: only Y exists at inference.
    model("layer-norm-mean-used", [
        helper.make_node("LayerNormalization", ["x", "s", "b"], ["n", "mean"], axis=2),
        helper.make_node("Add", ["n", "mean"], ["y"])], weights, opset=17)


if __name__ == "__main__":
    main()
