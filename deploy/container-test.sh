#!/usr/bin/env bash
# Proves the top-level Dockerfile on a machine without a Docker engine: Debian's
# podman builds the image, runs it on a loopback port, and the host's ganctl
# drives it (health, generate, a short bench). No registry is needed: the
# debian:bookworm-slim base is made with debootstrap from the machine's Debian
# mirror and imported under the name the Dockerfile asks for.
#   deploy/container-test.sh [BUILD_DIR]     (default: build; ganctl is taken from there)
# Everything podman keeps (images, layers, the base tarball) lives under
# BUILD_DIR/container, so the host's own container storage is never touched.
# Exits 77 (ctest: skipped) with "SKIP:" when podman cannot run containers here;
# 1 when the image is broken, including when it cannot serve its bundled model.
# Prints the image size and how long each step took.
set -euo pipefail
cd "$(dirname "$0")/.."
src_dir=$PWD
build_dir=$(realpath -m "${1:-build}")
work=$build_dir/container
# Host networking: ports off the defaults so a developer's own ganserve is not hit.
port=${GANSERVE_CONTAINER_PORT:-$((50200 + $$ % 400))}
metrics_port=${GANSERVE_CONTAINER_METRICS_PORT:-$((9200 + $$ % 400))}
image=localhost/ganserve:container-test
base=docker.io/library/debian:bookworm-slim
name=ganserve-container-test-$$

say() { echo "container-test: $*"; }
skip() { say "SKIP: $*"; exit 77; }
test_start=$SECONDS
fail() { say "FAIL: $*" >&2; exit 1; }

command -v podman >/dev/null && command -v debootstrap >/dev/null ||
  skip "podman or debootstrap missing (install with deploy/install-deps.sh --container)"
# The image must carry the bundled model; without it there is nothing to test.
compgen -G "models/fashion-cgan/generator.*" >/dev/null ||
  fail "no models/fashion-cgan/generator.* in $src_dir: the image would have no model to serve"
ganctl=${GANCTL:-$build_dir/client/ganctl}
[[ -x $ganctl ]] || fail "no ganctl at $ganctl: build the project first (or set GANCTL)"

mkdir -p "$work"
# Our own containers.conf: runc (crun fails on this cgroup setup), cgroupfs and
# a file event log (no systemd), and ulimits the machine can grant, else the
# container dies in setrlimit.
nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
[[ $nproc == unlimited || $nproc -gt 32768 ]] && nproc=32768
export CONTAINERS_CONF=$work/containers.conf
cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$work/events.log"
EOF
podman=(podman --root "$work/root" --runroot "$work/runroot" --tmpdir "$work/tmp")
mkdir -p "$work/tmp"

if ! "${podman[@]}" info >"$work/podman-info.log" 2>&1; then
  skip "podman cannot start here: $(tail -n 1 "$work/podman-info.log")"
fi

# The Debian mirror the host itself uses; the image's apt talks to the same one.
# Only live source lines: a commented snapshot URL must not win.
sources=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
  grep -E '^(URIs:|deb) ' || true)
mirror=$(grep -oE 'https?://[^ ]+/debian/?( |$)' <<<"$sources" | head -n 1 | tr -d ' ' || true)
[[ -n $mirror ]] || skip "no Debian mirror in this machine's apt sources to build the base image from"
# Without a security mirror in the host's sources, the image has none either.
security=$(grep -oE 'https?://[^ ]+/debian-security/?' <<<"$sources" | head -n 1 || true)

# The cache is keyed by the mirrors written into the base, so a changed host
# setup makes a new one.
key=$(echo "$mirror $security" | md5sum | cut -c1-12)
have=$("${podman[@]}" image inspect --format '{{index .Labels "ganserve.base"}}' "$base" 2>/dev/null || true)
if [[ $have != "$key" ]]; then
  tarball=$work/bookworm-minbase-$key.tar
  if [[ ! -s $tarball ]]; then
    say "making the base image with debootstrap from $mirror (once; cached in $tarball)"
    rootfs=$work/rootfs
    rm -rf "$rootfs" "$work"/bookworm-minbase*.tar
    start=$SECONDS
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
      fail "debootstrap failed, see $work/debootstrap.log"
    # Match what the official slim image carries: the same suites, no docs or
    # man pages, no apt caches.
    rm -f "$rootfs/etc/apt/sources.list"
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    if [[ -n $security ]]; then
      cat >>"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    fi
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/*/[!c]* \
      "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
    tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
    say "debootstrap took $((SECONDS - start)) s"
  fi
  "${podman[@]}" import -q --change 'CMD ["bash"]' --change "LABEL ganserve.base=$key" "$tarball" "$base" >/dev/null
fi
if ! "${podman[@]}" run --rm --network=host "$base" true >"$work/podman-run.log" 2>&1; then
  skip "podman cannot start a container here: $(tail -n 1 "$work/podman-run.log")"
fi

say "building $image from Dockerfile"
start=$SECONDS
nice -n 10 "${podman[@]}" build --pull=never --network=host --layers --format docker -t "$image" -f Dockerfile . \
  >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; fail "podman build failed, see $work/build.log"; }
say "image built in $((SECONDS - start)) s"
size=$("${podman[@]}" image inspect --format '{{.Size}}' "$image")
say "image size: $((size / 1000000)) MB ($size bytes)"

cleanup() { "${podman[@]}" rm -f -t 5 "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
# Read-only root filesystem, as in deploy/k8s and the compose file.
"${podman[@]}" run -d --name "$name" --network=host --read-only \
  -e GANSERVE_GRPC_PORT="$port" \
  "$image" --address "127.0.0.1:$port" --metrics_port "$metrics_port" --http_port -1 >/dev/null ||
  fail "podman run failed"
target=127.0.0.1:$port
dump() { "${podman[@]}" logs "$name" 2>&1 | tail -n 30 >&2; }

ready=0
for _ in $(seq 1 60); do
  if "$ganctl" health --target "$target" >/dev/null 2>&1; then ready=1; break; fi
  [[ $("${podman[@]}" inspect --format '{{.State.Running}}' "$name") == true ]] || { dump; fail "container exited"; }
  sleep 1
done
((ready)) || { dump; fail "server in the container never became healthy on $target"; }
say "healthy on $target $((SECONDS - start)) s after start"
# The image must serve the model it carries: a server up without it is a failure.
"$ganctl" health --target "$target" --service fashion-cgan >/dev/null ||
  { dump; fail "the bundled model fashion-cgan is not SERVING"; }
"$ganctl" info --target "$target" --summary=false | tee "$work/info.txt"
grep -q fashion-cgan "$work/info.txt" || { dump; fail "ganctl info does not list fashion-cgan"; }

# Every shared library the binaries link must be in the runtime stage.
"${podman[@]}" exec "$name" ldd /usr/local/bin/ganserve /usr/local/bin/ganctl >"$work/ldd.txt" ||
  fail "ldd failed in the container"
! grep 'not found' "$work/ldd.txt" || fail "libraries missing from the runtime stage (deploy/install-deps.sh --runtime)"
uid=$("${podman[@]}" exec "$name" id -u)
[[ $uid != 0 ]] || fail "the container runs as root"
"${podman[@]}" healthcheck run "$name" || { dump; fail "the image's HEALTHCHECK fails"; }
say "HEALTHCHECK passes, server runs as uid $uid"

out=$work/generated
rm -rf "$out" && mkdir -p "$out"
"$ganctl" generate --target "$target" -n 4 --seed 7 --label 7 --out "$out" || { dump; fail "ganctl generate failed"; }
pngs=$(find "$out" -name '*.png' | wc -l)
((pngs >= 4)) || fail "expected 4 PNG files from generate, found $pngs"
for f in "$out"/*.png; do
  [[ $(head -c 8 "$f" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "$f is not a PNG"
done
say "generate wrote $pngs PNG files"

"$ganctl" bench --target "$target" --duration 5s --warmup 1s --concurrency 2 --max-error-rate 0 | tee "$work/bench.txt" ||
  { dump; fail "ganctl bench failed"; }
# bash's /dev/tcp: no curl needed on the host.
{ exec 3<>"/dev/tcp/127.0.0.1/$metrics_port" &&
  printf 'GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 && cat <&3 >"$work/metrics.txt"; } ||
  fail "no metrics on port $metrics_port"
exec 3>&-
grep -q '^ganserve_' "$work/metrics.txt" || fail "metrics page has no ganserve_ series"
say "metrics served on $metrics_port"

# SIGTERM must drain and exit 0 well inside the default 30 s drain timeout.
stop_start=$SECONDS
"${podman[@]}" stop -t 40 "$name" >/dev/null
code=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' "$name")
[[ $code == 0 ]] || { dump; fail "ganserve exited with $code on SIGTERM"; }
say "stopped cleanly in $((SECONDS - stop_start)) s"
say "PASS in $((SECONDS - test_start)) s; image size $((size / 1000000)) MB"
