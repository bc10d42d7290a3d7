#!/usr/bin/env bash
# Set up (if needed) and run the flagship example: the contact-centre hotline.
# Today: validate the blueprint and print its summary, draw its diagram into out/,
# and simulate one day ten times. Later issues add the fail points and the
# cheapest shift plan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/blueprint validate examples/contact_center.yaml "$@"
mkdir -p out
.venv/bin/blueprint render examples/contact_center.yaml -o out/contact_center.svg --force
.venv/bin/blueprint render examples/contact_center.yaml -o out/contact_center.png --force
.venv/bin/python - <<'PY'
import pandas as pd

import blueprint
import simulate

pd.set_option("display.width", 120)
results = simulate.run(blueprint.load("examples/contact_center.yaml"), days=1, replications=10, seed=2026)
print(f"\nOne simulated day, 10 replications (seed {results.seed}): mean and 95% interval")
print(results.summary().round(3).to_string())
PY
