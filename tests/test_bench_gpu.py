"""bench/gpu.py cannot measure anything here (no GPU), but it imports
without torch and its dry run builds every config (shrunk) on the CPU and
goes through every path it takes on a GPU."""

import json
import os
import subprocess
import sys

from tests.conftest import REPO


def test_imports_without_torch():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, bench.gpu; print('torch' in sys.modules)"],
        cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_dry_run_goes_through_every_measurement(tmp_path):
    report = tmp_path / "gpu.json"
    env = {**os.environ, "MULTIGEN_DEVICE": "cpu"}
    subprocess.run([sys.executable, "-m", "bench.gpu", "--dry-run", "--prompts", "2",
                    "--out", str(report)], cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=600)
    result = json.loads(report.read_text())
    for model in ("sd15", "sdxl"):
        assert set(result[model]) == {"loop", "batch8", "plugin", "plugin-fast"}
        assert result[model]["plugin"]["batches"] == [2]  # both prompts in one call
        assert result[model]["plugin"]["memory_plan"]["placement"] == "full"
        assert all(r["images_per_s"] > 0 for r in result[model].values())
    assert result["svd-xt"]["error"] is None
    assert result["svd-xt"]["memory"]["device_gib"] == 24.0
