#!/usr/bin/env bash
# Installs the dependencies, builds, and runs the whole test suite with ctest.
#   deploy/test.sh               Release build in build/
#   SANITIZE=1 deploy/test.sh    AddressSanitizer + UndefinedBehaviorSanitizer build in build-sanitize/
# Extra arguments go to ctest (e.g. -R Tutorial). Without them, the container
# test (label container: builds the Dockerfile with podman, ~N min) runs last,
# on its own, and says SKIP with the reason when podman cannot start containers.
# GANSERVE_CONTAINER_TEST=0 leaves it out.
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh
run_container=0
if [[ $# -eq 0 && ${SANITIZE:-0} != 1 && ${GANSERVE_CONTAINER_TEST:-1} == 1 ]]; then
  run_container=1
  bash deploy/install-deps.sh --container
fi

build_dir=build
cmake_flags=(-DCMAKE_BUILD_TYPE=Release)
if [[ ${SANITIZE:-0} == 1 ]]; then
  build_dir=build-sanitize
  cmake_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DGANSERVE_SANITIZE=ON)
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
jobs=$(nproc)
# ccache keys on paths relative to the checkout, so a fresh clone elsewhere
# (CI's) reuses what an earlier build of the same sources compiled.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}

cmake -S . -B "$build_dir" "${cmake_flags[@]}" >/dev/null
cmake --build "$build_dir" -j"$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" --label-exclude container "$@"
if ((run_container)); then
  echo "test: container test (deploy/container-test.sh via ctest -L container)"
  ctest --test-dir "$build_dir" -L container --verbose
else
  echo "test: container test not run (extra ctest arguments, SANITIZE=1 or GANSERVE_CONTAINER_TEST=0)"
fi
