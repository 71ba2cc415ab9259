#!/usr/bin/env bash
# Make a Debian base image from Debian's own packages (no image registry is reachable here), once:
# debootstrap a minimal bookworm and import it as local/debian:bookworm. The mirror is read at run time from
# this machine's apt sources, never written down. Users elsewhere build on python:3.11-slim and skip this.
set -euo pipefail
image="${1:-local/debian:bookworm}"
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "base image $image exists"
  exit 0
fi
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
started=$(date +%s)
debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
tar -C "$root" -c . | docker import - "$image" >/dev/null
echo "base image $image built in $(( $(date +%s) - started )) s"
