#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 30 s each), starting from the seeds and
# any kept crashes. A crash stops the run and is copied to fuzz/regressions/TARGET/, where
# `cargo test -p kesu-import --test fuzz_regressions` replays it on the stable toolchain.
#   fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-30}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# cargo fuzz wants nightly's sanitizer flags; without a nightly toolchain, let stable take them.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz() { cargo +nightly fuzz "$@"; }
else
  fuzz() { RUSTC_BOOTSTRAP=1 cargo fuzz "$@"; }
fi
fuzz build -O
for t in json_bodies order_import tracking_push refund_quote email; do
  work=$(mktemp -d)
  mkdir -p "regressions/$t"
  echo "== fuzz $t for ${secs} s"
  if ! fuzz run "$t" -O "$work" "seeds/$t" "regressions/$t" -- \
      -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$work.log" 2>&1; then
    tail -40 "$work.log"
    for crash in artifacts/"$t"/*; do
      [ -f "$crash" ] && cp "$crash" "regressions/$t/" && echo "kept: regressions/$t/$(basename "$crash")"
    done
    echo "FAIL: fuzz target $t crashed; the input is kept under fuzz/regressions/$t" >&2
    exit 1
  fi
  grep -E "^stat::number_of_executed_units|^Done" "$work.log" | tail -2
  rm -rf "$work" "$work.log"
done
