#!/usr/bin/env bash
# Installs the dependencies, builds ganserve and ganctl (Release, into build/),
# and starts ganserve in the foreground. With no arguments it serves the
# bundled default model (models/fashion-cgan) on 0.0.0.0:50051 with metrics on
# :9090; any arguments are passed to ganserve instead (see `ganserve --help`).
#   deploy/start.sh
#   deploy/start.sh --address 127.0.0.1:6000 --model mine=/path/to/generator.h5
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target ganserve ganctl ganserve-load

echo "start: ganserve is starting; in another shell try:"
echo "  build/client/ganctl generate --label all -n 8 --seed 7 --grid fashion.png"
exec build/server/ganserve "$@"
