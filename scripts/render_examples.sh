#!/usr/bin/env bash
# Draw every example next to its YAML file, as SVG and PNG (as many steps a row as fit a 1600-pixel slide
# with 9-pixel text; see scripts/render_examples.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python scripts/render_examples.py
