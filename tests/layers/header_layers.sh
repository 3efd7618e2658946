#!/bin/bash
# Fails when a header under server/ or client/ can reach dnnl.hpp or hdf5.h
# through its includes: oneDNN belongs to ganserve_onednn and HDF5 to
# ganserve_loaders, behind headers that do not expose them.
# usage: header_layers.sh CXX SOURCE_DIR PROTO_GEN_DIR
set -euo pipefail
cxx=$1 src=$2 gen=$3
forbidden='(^|[ /])(dnnl\.hpp|hdf5\.h)( |$)'

# Every header a translation unit reaches, one per line (-MG: a header that
# is not on the include path, like hdf5.h, is listed by its bare name).
reached() {
  "$cxx" -std=c++20 -x c++ -M -MG -I"$src" -I"$gen" "$1" | tr -s ' \\' '\n' | sed '/^$/d'
}

# The check must be able to fail: headers known to expose each library do.
for known in engine/onednn/lowering.h engine/loaders/keras_hdf5.h; do
  if ! reached "$src/$known" | grep -E "$forbidden" >/dev/null; then
    echo "self-check: $known should reach dnnl.hpp or hdf5.h but the scan saw neither" >&2
    exit 1
  fi
done

mapfile -t headers < <(cd "$src" && find server client -name '*.h' | sort)
if [ "${#headers[@]}" -lt 10 ]; then
  echo "found only ${#headers[@]} headers under server/ and client/" >&2
  exit 1
fi
# One pass over all of them at once, then one per header only to name culprits.
all=$(mktemp --suffix=.cc)
trap 'rm -f "$all"' EXIT
printf '#include "%s"\n' "${headers[@]}" >"$all"
if ! reached "$all" | grep -E "$forbidden" >/dev/null; then
  echo "${#headers[@]} headers under server/ and client/ reach neither dnnl.hpp nor hdf5.h"
  exit 0
fi
for h in "${headers[@]}"; do
  if hit=$(reached "$src/$h" | grep -E "$forbidden"); then
    echo "$h reaches $(echo "$hit" | tr '\n' ' ')(see the chain with: $cxx -H -fsyntax-only)" >&2
  fi
done
exit 1
