#!/usr/bin/env python3
"""GenerateStream: images written as PNG files as the server finishes each."""

import ganserve_client


def main():
    args = ganserve_client.example_arguments(__doc__, count=16).parse_args()
    with ganserve_client.Client(args.target, token=args.token) as client:
        for image in client.generate_stream(args.model, args.seed, args.count, args.label):
            ganserve_client.write_png(args.out, f"stream_{image.index}.png", image.data)


if __name__ == "__main__":
    main()
