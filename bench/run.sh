#!/usr/bin/env bash
# One benchmark command: prints one table (see bench/run.py).
#   bench/run.sh [--size N] [--secs S] [--profile] [--skip-size]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "bench/run.sh needs wrk: apt-get install wrk" >&2; exit 1; }
[ -x target/release/kesu ] || cargo build --release -p kesu
exec python3 bench/run.py "$@"
