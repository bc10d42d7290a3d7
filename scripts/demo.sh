#!/usr/bin/env bash
# Set up (if needed) and run the flagship, the contact-centre hotline, end to end:
# validate the blueprint, draw it, simulate today's staffing and list its fail points,
# find the cheapest shift plan that meets the 60-second target, verify it by simulation,
# and print the before/after table. Everything it writes goes into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BP=examples/contact_center.yaml
SEED=2026
mkdir -p out
echo "== 1. The blueprint"
.venv/bin/blueprint validate "$BP"
.venv/bin/blueprint render "$BP" -o out/contact_center.svg --force
.venv/bin/blueprint render "$BP" -o out/contact_center.png --force
echo
echo "== 2. Today's staffing, simulated: one day, 10 replications"
.venv/bin/blueprint simulate "$BP" --seed "$SEED" --top 5 --diagram out/fail_points_before.svg --force
echo
echo "== 3. The cheapest shift plan that meets the target, checked by simulation"
.venv/bin/blueprint staff "$BP" --templates examples/contact_center.shifts.yaml --seed "$SEED" --spreadsheet \
  --output out/contact_center.staffed.yaml --diagram out/fail_points_after.svg --report out/report.html --force
echo
echo "Open out/report.html for the before/after report with both diagrams and the shift plan."
