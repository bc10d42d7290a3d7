#!/usr/bin/env bash
# Set up (if needed) and run the flagship example: the contact-centre hotline.
# Today: validate the blueprint, print its summary and draw its diagram into out/.
# Later issues add the simulation, the fail points and the cheapest shift plan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/blueprint validate examples/contact_center.yaml "$@"
mkdir -p out
.venv/bin/blueprint render examples/contact_center.yaml -o out/contact_center.svg --force
.venv/bin/blueprint render examples/contact_center.yaml -o out/contact_center.png --force
