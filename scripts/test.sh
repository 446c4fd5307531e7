#!/usr/bin/env bash
# One command from a fresh clone: set up, then run the whole test suite.
# Extra arguments go to pytest (e.g. -k txt2img).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
