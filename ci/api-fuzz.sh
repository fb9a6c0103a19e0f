#!/usr/bin/env bash
# Schema-driven fuzzing of the HTTP API: schemathesis (from PyPI, in a
# virtualenv under target/) against a running `amlscreen serve`, with a
# token holding every role. Fails on any 5xx, and on any response whose
# status, content type or body the OpenAPI document does not describe.
#   ci/api-fuzz.sh [BINARY] [MAX_EXAMPLES]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/amlscreen}
examples=${2:-50}
venv=$PWD/target/ci-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4,<5'
fi
source ci/serve-lib.sh
start_service "$bin"
trap stop_service EXIT
# a few cases for the case endpoints to find
curl -sf -X POST "$BASE/v1/screen/batch" -H "Authorization: Bearer $SCREEN_TOKEN" \
  -H 'Content-Type: application/x-ndjson' --data-binary @examples/transactions.jsonl > /dev/null
# from the service's scratch directory: schemathesis keeps a cache in the
# working directory, which must not be the checkout
cd "$SERVE_DIR"
"$venv/bin/schemathesis" run "$BASE/openapi.json" \
  -H "Authorization: Bearer $ALL_TOKEN" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples "$examples" --seed 19 --no-color
