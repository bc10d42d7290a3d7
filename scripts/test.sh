#!/usr/bin/env bash
# Set up (if needed), lint and type-check both packages, then run the whole test suite.
# Extra arguments go to pytest. A lint or type error fails the run before the tests start.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "test: ruff check"
.venv/bin/ruff check blueprint simulate tests benchmarks scripts
echo "test: mypy (configured in pyproject.toml)"
.venv/bin/mypy
exec .venv/bin/python -m pytest -n auto --dist loadgroup "$@"  # loadgroup: a notebook runs once, for all its checks
