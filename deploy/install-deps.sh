#!/usr/bin/env bash
# Installs every Debian 12 package that ganserve's build, tests and tools need.
# Idempotent and quiet; safe to run twice. Nothing is fetched from outside Debian's archive.
#   deploy/install-deps.sh            build + test dependencies
#   deploy/install-deps.sh --compile  only what a Release build without tests needs (container build stage)
#   deploy/install-deps.sh --runtime  only the shared libraries the binaries need (container runtime stage)
#   deploy/install-deps.sh --train    also python3-torch + the Fashion-MNIST dataset (retraining the bundled model, tests/bench/compare_peers.sh)
#   deploy/install-deps.sh --container podman and debootstrap, for deploy/container-test.sh
set -euo pipefail

build_packages=(
  build-essential cmake pkg-config git ca-certificates ccache
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libdnnl-dev libabsl-dev libseccomp-dev
  libgtest-dev libgmock-dev libbenchmark-dev libspng-dev
  libpng-dev libdeflate-dev libhdf5-dev libzip-dev libonnx-dev libcpp-httplib-dev
  nlohmann-json3-dev openssl libmicrohttpd-dev libgnutls28-dev curl chromium
  libonnx-testdata
  python3 python3-numpy python3-h5py python3-onnx python3-grpcio python3-protobuf
  clang libclang-rt-14-dev
  nodejs
)
runtime_packages=(
  libgrpc++1.51 libgrpc29 libprotobuf32 libdnnl2 libabsl20220623
  libpng16-16 libdeflate0 libhdf5-103-1 libzip4 libonnx1 libssl3 libgomp1
  libmicrohttpd12 libgnutls30 libcpp-httplib0.11 libseccomp2
)
# Left out by --compile: only the tests, test data, tools and developers use these.
not_for_compile=(
  git ccache openssl curl chromium libgtest-dev libgmock-dev libbenchmark-dev libspng-dev
  libonnx-testdata
  python3 python3-numpy python3-h5py python3-onnx python3-grpcio python3-protobuf clang
  libclang-rt-14-dev nodejs
)
train_packages=(python3-torch dataset-fashion-mnist libopenblas0-pthread)  # openblas: compare_peers.sh's PyTorch
# Debian's podman builds and runs the image without a Docker engine; runc because
# crun fails on this kind of machine's cgroup setup; debootstrap makes the base
# image without a registry.
container_packages=(podman runc catatonit netavark aardvark-dns uidmap debootstrap)

mode=build
for arg in "$@"; do
  case "$arg" in
    --runtime) mode=runtime ;;
    --compile) mode=compile ;;
    --train) mode=train ;;
    --container) mode=container ;;
    *) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

case "$mode" in
  runtime) wanted=("${runtime_packages[@]}") ;;
  train) wanted=("${build_packages[@]}" "${train_packages[@]}") ;;
  container) wanted=("${container_packages[@]}") ;;
  compile)
    wanted=()
    for p in "${build_packages[@]}"; do
      [[ " ${not_for_compile[*]} " == *" $p "* ]] || wanted+=("$p")
    done ;;
  *) wanted=("${build_packages[@]}") ;;
esac

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The k8s manifest check runs npm; NodeSource's nodejs bundles it, Debian's does not.
if [[ $mode == build || $mode == train ]] && ! command -v npm >/dev/null; then
  missing+=(npm)
fi
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#wanted[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
