#!/usr/bin/env bash
# CI latency guard for amlscreen (issue 6). Called from .ci/run.
#
#   ci/latency-guard.sh            check: fail when a guarded bench executes more
#                                  instructions than ci/latency-baseline.txt allows
#   ci/latency-guard.sh --update   rewrite the baseline from this build (on purpose,
#                                  in the commit that changes the speed, saying why)
#
# Two checks:
#  1. Instruction counts (callgrind through gungraun) of `screen_one` and
#     `match_name` on the generated workload, against the committed baseline
#     with its stated tolerance (benches/latency_guard.rs). Deterministic:
#     instruction counts do not depend on machine load.
#  2. The ratio test (tests/latency_ratio.rs, in the integration binary): the indexed match_name is at
#     least 100x faster than scoring every list name with the same scorer,
#     with the same hits above the review threshold. Timed in one process,
#     so machine load cancels out of the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

baseline=ci/latency-baseline.txt

# --- what gungraun needs: valgrind and a gungraun-runner of the library's version
if ! command -v valgrind >/dev/null 2>&1; then
  echo "== installing valgrind"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq valgrind
fi
want=$(awk '/^name = "gungraun"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(gungraun-runner --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  echo "== installing gungraun-runner $want (found '${have:-none}')"
  cargo install gungraun-runner --version "$want" --locked
fi

if [ "${1:-}" = "--update" ]; then
  summary_dir=target/gungraun-update
  rm -rf "$summary_dir"
  # No limits while measuring the new baseline.
  GUNGRAUN_HOME="$summary_dir" AMLSCREEN_GUARD_NO_LIMITS=1 \
    cargo bench --bench latency_guard -- --save-summary=json
  tolerance=$(awk '$1 == "tolerance_percent" { print $2 }' "$baseline")
  {
    sed -n '/^#/p' "$baseline"
    echo "tolerance_percent ${tolerance:-10}"
    find "$summary_dir" -name summary.json | sort | while read -r f; do
      jq -r '"\(.function_name) \(.profiles[0].summaries.total.summary.Callgrind.Ir.metrics.Left.Int)"' "$f"
    done
  } > "$baseline.new"
  mv "$baseline.new" "$baseline"
  echo "== new baseline:"; cat "$baseline"
  exit 0
fi

echo "== latency guard: instruction counts vs $baseline"
cargo bench --bench latency_guard
echo "== latency guard: indexed vs exhaustive match_name (ratio and same hits)"
cargo test --release --test integration latency_ratio -- --include-ignored --nocapture --test-threads=1
