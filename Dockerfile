# hireflix-mcp over streamable HTTP (endpoint /mcp), for one container or many stateless replicas.
#
#   docker build -t hireflix-mcp .
#   docker run --rm -p 8000:8000 -e HIREFLIX_API_KEY=... -e HIREFLIX_MCP_AUTH_TOKEN=... hireflix-mcp
#
# BASE_IMAGE is any image with `python3` (3.11+) and its venv module: the pinned python slim image by
# default, or a Debian bookworm file system with python3, python3-venv and python3-pip (`scripts/image
# build` makes one with debootstrap and builds this file on it with podman, without a container registry).
#
# HIREFLIX_MCP_AUTH_TOKEN is required: the server refuses to listen on 0.0.0.0 without it, and clients
# then send "Authorization: Bearer <token>". Host-header checking (DNS-rebinding protection) admits
# localhost only; behind a hostname, override the command and add `--allowed-hosts mcp.example.com:*`.
# tests/test_docker.py runs these same install and start steps in a fresh virtualenv, and lints this
# file with hadolint; tests/container/ builds the image with podman and runs it.

ARG BASE_IMAGE=python:3.11.14-slim-bookworm

FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml README.md /src/
COPY src /src/src
RUN python3 -m venv /opt/hireflix-mcp && /opt/hireflix-mcp/bin/pip install --no-compile /src

FROM ${BASE_IMAGE}
ENV PATH=/opt/hireflix-mcp/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY --from=build /opt/hireflix-mcp /opt/hireflix-mcp
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin hireflix
USER 10001
WORKDIR /tmp
EXPOSE 8000
# /healthz answers without the bearer token: liveness only, it does not call Hireflix.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
CMD ["hireflix-mcp", "serve", "--transport", "http", "--host", "0.0.0.0", "--port", "8000"]
