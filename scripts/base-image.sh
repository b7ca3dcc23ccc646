#!/usr/bin/env bash
# Builds the Docker base image the tests and the demo tasks run in, from a Debian root filesystem
# made by debootstrap (no registry is reachable from these machines, so nothing is pulled).
#   scripts/base-image.sh [TAG [PACKAGES]]   (default isobench-base:bookworm; skipped if the image exists)
# PACKAGES: more Debian packages, comma-separated (the rehearsal image: the benchmark clients' imports).
set -euo pipefail
tag="${1:-isobench-base:bookworm}"
extra="${2:+,$2}"
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag exists"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install -y debootstrap)" >&2; exit 2; }
root="$(mktemp -d /tmp/isobench-rootfs.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "debootstrap bookworm into $root ..."
debootstrap --variant=minbase --include=python3,git,patch,procps,ca-certificates$extra bookworm "$root" >"$root.log" 2>&1 || {
  tail -20 "$root.log" >&2
  exit 1
}
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' -m "isobench base: debootstrap bookworm minbase + python3 git patch procps$extra" - "$tag" >/dev/null
rm -f "$root.log"
echo "built $tag: $(docker image inspect --format '{{.Id}} {{.Size}}' "$tag")"
