#!/usr/bin/env bash
# ctest entry for the offline manifest checks: installs the pinned validator
# (package-lock.json, npm ci) into BUILD_DIR/k8s-validate once per lockfile
# change, then checks deploy/k8s/*.yaml (alone, and with the queue-depth HPA
# example of deploy/k8s/queue-depth/ applied over it), plants mistakes to prove the checks
# catch them, and checks deploy/docker-compose.yml. No cluster is contacted.
#   deploy/k8s/validate/run.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
deploy=$(dirname "$(dirname "$here")")
work=$(realpath -m "${1:?usage: run.sh BUILD_DIR}")/k8s-validate
mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$here"/*.cjs "$work/"
if ! cmp -s "$here/package-lock.json" "$work/node_modules/.installed-lock.json"; then
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$work/node_modules/.installed-lock.json"
fi
cd "$work"
node validate.cjs "$deploy"/k8s/*.yaml
node validate.cjs --self-test "$deploy"/k8s/*.yaml
# The queue-depth example applied over the base, as its README commands do.
node validate.cjs "$deploy"/k8s/*.yaml "$deploy"/k8s/queue-depth/*.yaml
node validate.cjs --self-test "$deploy"/k8s/*.yaml "$deploy"/k8s/queue-depth/*.yaml
node check_compose.cjs "$deploy/docker-compose.yml"
