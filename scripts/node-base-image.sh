#!/usr/bin/env bash
# Makes a base image with this machine's node and nothing else, for building the reference mock's
# image where no registry is reachable: the node binary and the libraries `ldd` lists, in a root
# file system given to `docker import`. Prints the image's name.
# Usage: scripts/node-base-image.sh [NAME]   (default oauth-conformance/node-base:<node version>)
set -euo pipefail

node_bin=$(readlink -f "$(command -v node)")
name=${1:-oauth-conformance/node-base:$("$node_bin" --version | tr -d v)}
if docker image inspect "$name" >/dev/null 2>&1; then
  echo "$name"
  exit 0
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"
mkdir -p "$root/usr/local/bin" "$root/tmp"
chmod 1777 "$root/tmp"
cp "$node_bin" "$root/usr/local/bin/node"
# Every shared library node links, at the path the dynamic loader looks for it (the loader too).
for lib in $(ldd "$node_bin" | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
tar -C "$root" -c . | docker import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' - "$name" >/dev/null
echo "$name"
