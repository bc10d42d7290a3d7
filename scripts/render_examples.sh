#!/usr/bin/env bash
# Draw every example next to its YAML file, as SVG and PNG, so reviewers see them without running anything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
for f in examples/*.yaml; do
  stem=$(basename "$f" .yaml)
  case "$stem" in *.*) continue ;; esac  # companion files (name.scenarios.yaml, name.shifts.yaml) are not blueprints
  for ext in svg png; do
    # at most 7 steps a row: on a 1600-pixel slide the step text stays at 9 px or more
    .venv/bin/blueprint render "$f" -o "${f%.yaml}.$ext" --force --max-columns 7
  done
done
