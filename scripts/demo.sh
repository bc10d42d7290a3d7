#!/usr/bin/env bash
# Set up (if needed) and run the flagship example: the contact-centre hotline.
# Today: validate the blueprint and print its summary. Later issues add the
# diagram, the simulation, the fail points and the cheapest shift plan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/blueprint validate examples/contact_center.yaml "$@"
