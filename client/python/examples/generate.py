#!/usr/bin/env python3
"""Generate: `count` images from a seed, written as PNG files."""

import ganserve_client


def main():
    args = ganserve_client.example_arguments(__doc__).parse_args()
    with ganserve_client.Client(args.target, token=args.token) as client:
        for image in client.generate(args.model, args.seed, args.count, args.label):
            ganserve_client.write_png(args.out, f"generate_{image.index}.png", image.data)


if __name__ == "__main__":
    main()
