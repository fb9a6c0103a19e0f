#!/usr/bin/env bash
# The HTTP load test of BENCHMARKS.md (issue 19): `amlscreen serve` on
# loopback with every real list (benches/real-lists.yaml, from a list
# cache), the default rules, a case store and an audit log (fsync
# `interval`), driven by wrk (Debian) with the workload's transactions
# (unique ids) at 1, 16 and 64 connections; each run on a fresh service
# (empty history and store). Then the same transactions in process: the
# CLI's `screen` and the Python package (benches/python_load.py).
#   bash benches/http_load.sh            (N=400000 DURATION=15s by default)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-400000}
duration=${DURATION:-15s}
bin=$PWD/target/release/amlscreen
[ -x "$bin" ] && [ -x target/release/examples/gen_workload ] || cargo build --release --bins --examples
work=$(mktemp -d /tmp/amlscreen-load.XXXXXX)
trap 'rm -rf "$work"' EXIT
target/release/examples/gen_workload "$n" > "$work/txs.jsonl"
token=load-$RANDOM$RANDOM$RANDOM$RANDOM
hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
lists=$(sed -n '/^lists:/,/^rules:/p' benches/real-lists.yaml | grep -v '^rules:' \
  | sed "s|path: \.\./\.\./shared|path: $(cd .. && pwd)/shared|")
config() { # $1: directory
  cat > "$1/amlscreen.yaml" <<YAML
$lists
rules: $PWD/rules
list_cache: $work/lists.bin
list_guard:
  history: $work/history.json
audit:
  path: $1/audit/audit.jsonl
  fsync: interval
store:
  path: $1/cases.db
server:
  tokens:
    - {name: load, sha256: $hash, roles: [screen, review, admin]}
  max_batch: 100000
YAML
}
mkdir -p "$work/compile" && config "$work/compile"
"$bin" --config "$work/compile/amlscreen.yaml" lists compile --out "$work/lists.bin" >/dev/null
echo "machine load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for connections in 1 16 64; do
  run=$work/run-$connections
  mkdir -p "$run" && config "$run"
  "$bin" --config "$run/amlscreen.yaml" serve --listen 127.0.0.1:0 2> "$run/stderr" &
  pid=$!
  base=
  for _ in $(seq 1 300); do
    base=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$run/stderr" | head -1)
    [ -n "$base" ] && curl -sf "$base/readyz" >/dev/null && break
    sleep 0.1
  done
  threads=$(( connections < 2 ? 1 : 2 ))
  printf 'POST /v1/screen, %2d connections (%d wrk threads): ' "$connections" "$threads"
  LOAD_TXS=$work/txs.jsonl LOAD_TOKEN=$token LOAD_THREADS=$threads \
    wrk -t"$threads" -c"$connections" -d"$duration" --timeout 10s -s benches/http_load.lua "$base" | tail -1
  kill -TERM "$pid"; wait "$pid" || true
done
echo "machine load after: $(cut -d' ' -f1-3 /proc/loadavg)"
inproc=$work/inproc && mkdir -p "$inproc" && config "$inproc"
head -100000 "$work/txs.jsonl" > "$work/txs100k.jsonl"
start=$(date +%s.%N)
"$bin" --config "$inproc/amlscreen.yaml" screen -i "$work/txs100k.jsonl" -o /dev/null 2>/dev/null || true
end=$(date +%s.%N)
echo "in process, amlscreen screen (batches on 2 cores), 100,000 transactions incl. start-up: $(echo "100000 / ($end - $start)" | bc) tx/s"
if [ -x target/py-venv/bin/python ]; then
  py=$work/py && mkdir -p "$py" && config "$py"
  target/py-venv/bin/python benches/python_load.py "$py/amlscreen.yaml" "$work/txs.jsonl"
else
  echo "Python package not installed (bash ci/python-test.sh installs it): skipped"
fi
