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
  # Debian packages the tests drive: chromium (dashboard), bubblewrap and Docker (sandboxes, the container pattern),
  # debootstrap (the sandbox image's base, since no image registry is reachable here), nginx (the proxy patterns'
  # sidecar).
  need=""
  [ -x /usr/bin/chromium ] || need="$need chromium chromium-driver"
  command -v bwrap >/dev/null || need="$need bubblewrap"
  command -v dockerd >/dev/null || need="$need docker.io"
  command -v debootstrap >/dev/null || need="$need debootstrap"
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need="$need nginx"
  if [ -n "$need" ]; then
    if [ "$(id -u)" = "0" ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
    else
      echo "note: missing$need; the tests that need them are skipped (apt-get install$need)" >&2
    fi
  fi
else
  .venv/bin/python -m pip install -q .
fi
