#!/usr/bin/env bash
# One command from a fresh clone: set up, create a demo dataset, open the App
# with the plugin ready (press ` in the App to find "Generate ...").
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/python scripts/install_plugin.py   # links this checkout as a plugin
.venv/bin/python scripts/demo_dataset.py
exec .venv/bin/fiftyone app launch multigen-demo --wait -1 "$@"
