# Shared by ci/ui-test.sh and ci/api-fuzz.sh: starts `amlscreen serve` on a
# free loopback port over the sample watchlist and the default rules, with
# an audit log and a case store in a temporary directory, and one token per
# role. Sets BASE, SERVE_DIR, SERVE_PID, SCREEN_TOKEN, REVIEW_TOKEN,
# ADMIN_TOKEN, ALL_TOKEN. Source it; call stop_service when done.

start_service() {
  local bin=$1
  SERVE_DIR=$(mktemp -d)
  SCREEN_TOKEN=ci-screen-$RANDOM$RANDOM$RANDOM
  REVIEW_TOKEN=ci-review-$RANDOM$RANDOM$RANDOM
  ADMIN_TOKEN=ci-admin-$RANDOM$RANDOM$RANDOM
  ALL_TOKEN=ci-all-$RANDOM$RANDOM$RANDOM
  hash() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
  cat > "$SERVE_DIR/amlscreen.yaml" <<YAML
lists:
  - source: watchlist
    path: $PWD/sanctions/sample_watchlist.csv
rules: $PWD/rules
list_guard:
  history: $SERVE_DIR/history.json
audit:
  path: $SERVE_DIR/audit/audit.jsonl
  fsync: os
store:
  path: $SERVE_DIR/cases.db
server:
  tokens:
    - {name: ci-screen, sha256: $(hash "$SCREEN_TOKEN"), roles: [screen]}
    - {name: ci-reviewer, sha256: $(hash "$REVIEW_TOKEN"), roles: [review]}
    - {name: ci-admin, sha256: $(hash "$ADMIN_TOKEN"), roles: [admin]}
    - {name: ci-all, sha256: $(hash "$ALL_TOKEN"), roles: [screen, review, admin]}
YAML
  "$bin" --config "$SERVE_DIR/amlscreen.yaml" serve --listen 127.0.0.1:0 2> "$SERVE_DIR/stderr" &
  SERVE_PID=$!
  BASE=
  for _ in $(seq 1 600); do
    BASE=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$SERVE_DIR/stderr" | head -1)
    if [ -n "$BASE" ] && curl -sf "$BASE/readyz" >/dev/null; then
      return 0
    fi
    if ! kill -0 "$SERVE_PID" 2>/dev/null; then
      cat "$SERVE_DIR/stderr"; echo "the service did not start"; return 1
    fi
    sleep 0.1
  done
  cat "$SERVE_DIR/stderr"; echo "the service was not ready within 60 s"; return 1
}

stop_service() {
  kill -TERM "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" || true
  rm -rf "$SERVE_DIR"
}
