#!/usr/bin/env bash
# One command to run the tests on a fresh machine: set up .venv and the Debian packages, start a Docker daemon if
# none answers (stopped again by its pid at the end), make the sandbox image, lint (ruff, import-linter's
# architecture contracts on the source tree), then pytest (args pass through). With ST_PATTERNS_PROVE=1 (CI) it
# also proves every pattern and the oldest and newest Streamlit release before linting.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
mkdir -p test-artifacts
dockerd_pid=""
stop_dockerd() {
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    kill "$dockerd_pid"
    for _ in $(seq 1 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
  fi
}
trap stop_dockerd EXIT
if command -v dockerd >/dev/null && [ "$(id -u)" = "0" ] && ! docker info >/dev/null 2>&1; then
  setsid dockerd >test-artifacts/dockerd.log 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
fi
if docker info >/dev/null 2>&1; then
  # No registry is reachable here: base the sandbox image on a Debian made with debootstrap (users: python:3.11-slim).
  export ST_PATTERNS_SANDBOX_IMAGE_BASE="${ST_PATTERNS_SANDBOX_IMAGE_BASE:-local/debian:bookworm}"
  [ "$ST_PATTERNS_SANDBOX_IMAGE_BASE" != "local/debian:bookworm" ] || bash scripts/docker-base.sh
  .venv/bin/st-patterns sandbox-image
fi
if [ -n "${ST_PATTERNS_PROVE:-}" ]; then
  # CI proves every pattern first (every sidecar's program is installed, so nothing may be skipped), then the
  # oldest and the newest Streamlit with st.App (the full matrix: `st-patterns matrix --all-releases`).
  .venv/bin/st-patterns validate --all --no-skip --junit test-artifacts/validate.xml
  .venv/bin/st-patterns matrix --streamlit 1.53,1.67 --junit test-artifacts/matrix.xml
fi
.venv/bin/ruff check server tests benchmarks dashboard patterns
PYTHONPATH=server .venv/bin/lint-imports --no-cache
.venv/bin/python -m pytest "$@"
