#!/usr/bin/env bash
# One command to run the server on a fresh machine: set up .venv, then `st-patterns serve` (args pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/st-patterns serve "$@"
