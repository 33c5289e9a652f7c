#!/bin/sh
# Builds the x/oauth2 client offline, in GOPATH mode, against Debian's golang-golang-x-oauth2-dev
# sources in /usr/share/gocode (no module proxy needed).
# Usage: build.sh [output path]   (default: <this folder>/bin/client)
set -eu

dir=$(cd "$(dirname "$0")" && pwd)
out=${1:-$dir/bin/client}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
gopath=${OFFLINE_GOPATH:-/usr/share/gocode}

if ! command -v go >/dev/null 2>&1; then
  echo "build.sh: 'go' not found; install Go (Debian: apt-get install golang-go golang-golang-x-oauth2-dev)" >&2
  exit 1
fi
if [ ! -d "$gopath/src/golang.org/x/oauth2/clientcredentials" ]; then
  echo "build.sh: golang.org/x/oauth2 not found under $gopath/src (Debian: apt-get install golang-golang-x-oauth2-dev, or set OFFLINE_GOPATH)" >&2
  exit 1
fi

mkdir -p "$(dirname "$out")"
cd "$dir"
GO111MODULE=off GOPATH=$gopath GOCACHE=${GOCACHE:-$dir/.cache/go-build} GOFLAGS= \
  go build -o "$out" .
echo "built $out"
