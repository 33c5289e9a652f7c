#!/usr/bin/env bash
# Builds the reference mock's image: bundles the mock, then `docker build`.
# Usage: scripts/build-image.sh [--local-base | --base IMAGE] [--tag TAG]
#   --local-base  build on a base made from this machine's node (scripts/node-base-image.sh),
#                 for machines that reach no image registry
#   --base IMAGE  build on IMAGE (default: the Dockerfile's, the public node:20-bookworm-slim)
#   --tag TAG     default oauth-conformance/reference-mock:local
set -euo pipefail
cd "$(dirname "$0")/.."

tag=oauth-conformance/reference-mock:local
base=
while [ $# -gt 0 ]; do
  case $1 in
    --local-base) base=$(bash scripts/node-base-image.sh) ;;
    --base) base=${2:?--base needs an image}; shift ;;
    --tag) tag=${2:?--tag needs a name}; shift ;;
    *) echo "build-image.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

npx tsx scripts/bundle-mock.ts
docker build ${base:+--build-arg "BASE=$base"} --target reference-mock -t "$tag" . >&2
echo "built $tag${base:+ on $base}"
