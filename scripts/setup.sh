#!/usr/bin/env bash
# Prepare a fresh machine: a virtualenv in .venv with st-patterns installed (non-editable, like a user's),
# plus its test extras and, for the browser tests, Debian's chromium. Safe to run again: it only tops up.
set -euo pipefail
cd "$(dirname "$0")/.."
want_tests="${1:-}"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
if [ "$want_tests" = "--test" ]; then
  # Tests and CI install the exact versions last verified (ci-constraints.txt); users get pyproject's ranges.
  .venv/bin/python -m pip install -q -c ci-constraints.txt ".[test]"
  if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = "0" ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
      echo "note: /usr/bin/chromium is missing; browser tests will be skipped (apt-get install chromium)" >&2
    fi
  fi
else
  .venv/bin/python -m pip install -q .
fi
