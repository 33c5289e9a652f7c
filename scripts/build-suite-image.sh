#!/usr/bin/env bash
# Builds the suite's image (the Dockerfile's `suite` target): packs this package (`npm pack` builds
# dist/ first), installs the tarball with its run-time dependencies into an empty project, and
# gives that project's node_modules/ to `docker build` as the context. No npm inside the image,
# so any base with node will do.
# Usage: scripts/build-suite-image.sh [--local-base | --base IMAGE] [--tag TAG]
#   --local-base  build on a base made from this machine's node (scripts/node-base-image.sh),
#                 for machines that reach no image registry
#   --base IMAGE  build on IMAGE (default: the Dockerfile's, the public node:20-bookworm-slim)
#   --tag TAG     default oauth-conformance/suite:local
set -euo pipefail
cd "$(dirname "$0")/.."

tag=oauth-conformance/suite:local
base=
local_base=
while [ $# -gt 0 ]; do
  case $1 in
    --local-base) base=$(bash scripts/node-base-image.sh); local_base=1 ;;
    --base) base=${2:?--base needs an image}; shift ;;
    --tag) tag=${2:?--tag needs a name}; shift ;;
    *) echo "build-suite-image.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
# The classic builder builds the reference-mock stage on the way to the suite's.
npx tsx scripts/bundle-mock.ts >&2
mkdir -p "$context/dist"
cp dist/reference-mock.mjs "$context/dist/"
tarball=$(npm pack --silent --pack-destination "$context" 2>/dev/null | tail -n 1)
(
  cd "$context"
  echo '{ "name": "oauth-conformance-image", "private": true }' >package.json
  npm install --silent --no-audit --no-fund --prefer-offline --omit=dev "./$tarball" >&2
)
# The local base holds node and the libraries node links, no more: the native modules of the
# run-time dependencies (vite's bundler) link others (librt), which go in with the same paths.
mkdir -p "$context/rootfs"
if [ -n "$local_base" ]; then
  find "$context/node_modules" -name '*.node' -print0 | xargs -0 -r ldd 2>/dev/null \
    | grep -o '=> /[^ ]*' | cut -c4- | sort -u | while read -r lib; do
      mkdir -p "$context/rootfs$(dirname "$lib")"
      cp -L "$lib" "$context/rootfs$lib"
    done
fi
docker build ${base:+--build-arg "BASE=$base"} --target suite -t "$tag" -f Dockerfile "$context" >&2
echo "built $tag${base:+ on $base}"
