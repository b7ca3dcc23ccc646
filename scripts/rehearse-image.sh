#!/usr/bin/env bash
# Builds the base of the rehearsal images (`isobench run --rehearse`): the debootstrap base plus
# Debian's Python packages that vLLM's benchmark clients import (aiohttp, numpy, tqdm, pandas, PIL,
# requests, yaml, psutil, packaging). Nothing can be pulled here, so it is made from a root filesystem.
#   scripts/rehearse-image.sh [TAG]   (default isobench-rehearse-base:bookworm; skipped if it exists)
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/base-image.sh "${1:-isobench-rehearse-base:bookworm}" \
  python3-aiohttp,python3-numpy,python3-tqdm,python3-pandas,python3-pil,python3-requests,python3-yaml,python3-psutil,python3-packaging
