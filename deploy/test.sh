#!/usr/bin/env bash
# Installs the dependencies, builds, and runs the whole test suite with ctest.
#   deploy/test.sh               Release build in build/
#   SANITIZE=1 deploy/test.sh    AddressSanitizer + UndefinedBehaviorSanitizer build in build-sanitize/
# Extra arguments go to ctest (e.g. -R Tutorial).
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh

build_dir=build
cmake_flags=(-DCMAKE_BUILD_TYPE=Release)
if [[ ${SANITIZE:-0} == 1 ]]; then
  build_dir=build-sanitize
  cmake_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DGANSERVE_SANITIZE=ON)
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
jobs=$(nproc)

cmake -S . -B "$build_dir" "${cmake_flags[@]}" >/dev/null
cmake --build "$build_dir" -j"$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" --label-exclude container "$@"
