#!/usr/bin/env bash
# One command to run the tests on a fresh machine: set up .venv (+ chromium), lint (ruff, import-linter's
# architecture contracts on the source tree), then pytest (args pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check server tests benchmarks dashboard patterns
PYTHONPATH=server .venv/bin/lint-imports --no-cache
.venv/bin/python -m pytest "$@"
