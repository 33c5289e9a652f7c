# The reference mock as an image: node and one bundled file (dist/reference-mock.mjs, made by
# `npm run build:mock`). Build it with `npm run build:image`, which bundles first.
# BASE is any image with `node` (20 or later) on its PATH: the public node image by default, or a
# base made locally where no registry is reachable (scripts/node-base-image.sh, README).
ARG BASE=node:20-bookworm-slim
FROM ${BASE}
COPY dist/reference-mock.mjs /opt/oauth-conformance/reference-mock.mjs
# Any unprivileged uid: the mock writes nothing.
USER 65534:65534
EXPOSE 8080
ENTRYPOINT ["node", "/opt/oauth-conformance/reference-mock.mjs"]
# The arguments of `oauth-conformance mock`; a command given at `docker run` replaces them all.
# The fault hook is on: publish the port on loopback only (-p 127.0.0.1:8080:8080), or give
# `--host 0.0.0.0 --port 8080 --no-fault-hook` where others reach it (docs/fault-hook.md).
CMD ["--host", "0.0.0.0", "--port", "8080"]
