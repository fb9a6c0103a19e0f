#!/usr/bin/env bash
# The Python package: `pip install ./python` (maturin builds the PyO3
# extension in release mode) into a virtualenv under target/, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/py-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check pytest
CARGO_TARGET_DIR="$PWD/target/python" "$venv/bin/pip" install --quiet --disable-pip-version-check ./python
# from the tests' directory, so `import amlscreen` is the installed package
"$venv/bin/python" -m pytest -q python/tests
