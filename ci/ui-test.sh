#!/usr/bin/env bash
# The review page end to end in Debian's headless chromium (playwright-core
# from npm): ci/ui-test.sh [BINARY] [SCREENSHOT_DIR]. Seeds the service with
# the example transactions (11 cases), then tests/ui/review.mjs signs in,
# opens a case, resolves it as a false positive and sees the queue shrink.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/amlscreen}
shots=${2:-target/ui-screenshots}
mkdir -p "$shots"
(cd tests/ui && npm install --no-audit --no-fund --silent)
source ci/serve-lib.sh
start_service "$bin"
trap stop_service EXIT
curl -sf -X POST "$BASE/v1/screen/batch" -H "Authorization: Bearer $SCREEN_TOKEN" \
  -H 'Content-Type: application/x-ndjson' --data-binary @examples/transactions.jsonl > /dev/null
node tests/ui/review.mjs "$BASE" "$REVIEW_TOKEN" "$shots"
