# Two images, built on BASE: any image with `node` (20 or later) on its PATH: the public node image
# by default, or a base made locally where no registry is reachable (scripts/node-base-image.sh,
# README).
#   reference-mock  node and one bundled file, dist/reference-mock.mjs (`npm run build:mock`):
#                   `npm run build:image`, which bundles first.
#   suite           the CLI itself (suite, specs, reference mock), from the packed package:
#                   `npm run build:suite-image` (scripts/build-suite-image.sh) builds it from a
#                   context of its own holding the installed package, not from this directory.
# Give --target: Docker's classic builder builds every stage before the one asked for, so the
# suite's context carries the mock's bundle too.
ARG BASE=node:20-bookworm-slim

FROM ${BASE} AS reference-mock
COPY dist/reference-mock.mjs /opt/oauth-conformance/reference-mock.mjs
# Any unprivileged uid: the mock writes nothing.
USER 65534:65534
EXPOSE 8080
ENTRYPOINT ["node", "/opt/oauth-conformance/reference-mock.mjs"]
# The arguments of `oauth-conformance mock`; a command given at `docker run` replaces them all.
# The fault hook is on: publish the port on loopback only (-p 127.0.0.1:8080:8080), or give
# `--host 0.0.0.0 --port 8080 --no-fault-hook` where others reach it (docs/fault-hook.md).
CMD ["--host", "0.0.0.0", "--port", "8080"]

FROM ${BASE} AS suite
# node_modules/ of an empty project that installed the packed tarball with its run-time
# dependencies only (no TypeScript loader, no testcontainers: a container target needs a Docker
# client and is not offered from inside this image).
COPY node_modules /opt/oauth-conformance/node_modules
# Shared libraries the native modules need that a local base lacks (empty on a public base).
COPY rootfs/ /
WORKDIR /work
# Reports go to /reports when the run is given `--reports /reports` (mount a directory there).
# Root by default so that a mounted directory of any owner is writable; give
# `--user "$(id -u):$(id -g)"` to have the reports owned by you.
ENTRYPOINT ["node", "/opt/oauth-conformance/node_modules/oauth-conformance/bin/oauth-conformance.js"]
CMD ["--help"]
