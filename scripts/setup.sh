#!/usr/bin/env bash
# Sets up everything in ./.venv: torch, the plugin's requirements, FiftyOne
# and the test tools. Safe to re-run; installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
PIP=".venv/bin/python -m pip"

# torch first, pinned: PyPI's Linux wheel carries CUDA for GPU machines; a
# local CPU wheel of the same version is picked up where one is provided.
# Everything else is then constrained to it, so nothing swaps it out.
.venv/bin/python -c "import torch" 2>/dev/null || $PIP install -q "torch==2.13.0"
$PIP install -q -c .ci/constraints.txt -r requirements.txt -r requirements-dev.txt
