#!/usr/bin/env python3
"""ModelInfer (Open Inference Protocol): the model's metadata, then images
from a seed (or from latents drawn here), written as PNG files."""

import numpy as np

import ganserve_client


def main():
    parser = ganserve_client.example_arguments(__doc__)
    parser.add_argument("--random-latents", action="store_true",
                        help="send latents drawn by numpy instead of the seed parameters")
    args = parser.parse_args()
    labels = args.label or None
    with ganserve_client.Client(args.target, token=args.token) as client:
        metadata = client.model_metadata(args.model)
        for tensor in metadata.inputs:
            print("input", tensor.name, tensor.datatype, list(tensor.shape))
        if args.random_latents:
            latent_size = metadata.inputs[0].shape[1]
            latents = np.random.default_rng(args.seed).standard_normal(
                (args.count, latent_size), dtype=np.float32)
            result = client.model_infer(args.model, latents=latents, labels=labels)
        else:
            result = client.model_infer(args.model, labels=labels, seed=args.seed,
                                        count=args.count)
        for i, png in enumerate(result["png"]):
            ganserve_client.write_png(args.out, f"infer_{i}.png", png)


if __name__ == "__main__":
    main()
