"""Benchmark 3: App responsiveness. (a) What importing the plugin adds to
`import fiftyone.operators` (fresh processes, median of 7), and that no heavy
module loads; goal at most 150 ms. Python caches compiled modules, so every
App start after the first reads the plugin's bytecode: the median is of
those starts, and the first (compiling ~100 modules) is printed beside it.
Bytecode goes to a temporary folder, whatever PYTHONDONTWRITEBYTECODE says.
(b) Median time of each operator's `resolve_input`, as the App calls it on
every form change; goal at most 20 ms."""

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time

from bench.env import REPO

HEAVY = ("torch", "diffusers", "transformers", "openai", "replicate")
IMPORT_PLUGIN = f"""
import importlib.util, sys, time
import fiftyone.operators
start = time.perf_counter()
spec = importlib.util.spec_from_file_location(
    "multigen_bench", "{REPO}/__init__.py", submodule_search_locations=["{REPO}"])
module = importlib.util.module_from_spec(spec)
sys.modules["multigen_bench"] = module
spec.loader.exec_module(module)
elapsed = time.perf_counter() - start
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
print(elapsed, heavy)
"""
IMPORT_FIFTYONE = """
import time
start = time.perf_counter()
import fiftyone.operators
print(time.perf_counter() - start)
"""


def run(code, pycache):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=300, check=True)
    return out.stdout.strip().splitlines()[-1]


def import_cost():
    """Medians of 7 fresh processes (fiftyone, plugin on top, with bytecode
    cached as on any App start after the first), the first plugin import
    (compiling), and the heavy modules loaded."""
    plugin, fiftyone, heavy = [], [], None
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache:
        run(IMPORT_FIFTYONE, pycache)  # fiftyone's own bytecode, as installed
        first = float(run(IMPORT_PLUGIN, pycache).split(" ", 1)[0])
        for _ in range(7):
            fiftyone.append(float(run(IMPORT_FIFTYONE, pycache)))
            seconds, heavy = run(IMPORT_PLUGIN, pycache).split(" ", 1)
            plugin.append(float(seconds))
    return statistics.median(fiftyone), statistics.median(plugin), first, heavy


def resolve_medians():
    import fiftyone as fo
    from fiftyone.operators.executor import resolve_type
    from fiftyone.operators.registry import OperatorRegistry
    from PIL import Image

    import tempfile

    folder = tempfile.mkdtemp()
    dataset = fo.Dataset()
    paths = []
    for i in range(20):
        path = os.path.join(folder, f"{i}.png")
        Image.new("RGB", (64, 64), (i * 10, 80, 120)).save(path)
        paths.append(path)
    dataset.add_samples([fo.Sample(filepath=p, caption=f"caption {i}")
                         for i, p in enumerate(paths)])
    registry = OperatorRegistry()
    medians = {}
    for op in registry.list_operators():
        if not op.uri.startswith("@multigen/") or not hasattr(op, "list_models"):
            continue  # the generate operators (not score, leaderboard...)
        models = [m["id"] for m in op.list_models() if m["status"] == "available"][:2]
        params = {"models": models, "prompt": "a corgi\na cat", "num_images": 2}
        times = []
        for _ in range(30):
            start = time.perf_counter()
            asyncio.run(resolve_type(registry, op.uri,
                                     {"dataset_name": dataset.name, "params": params}))
            times.append(time.perf_counter() - start)
        medians[op.uri] = statistics.median(times[5:])  # after warm-up
    dataset.delete()
    return medians


def main():
    fiftyone_s, plugin_s, first_s, heavy = import_cost()
    print(f"  import fiftyone.operators: {fiftyone_s * 1000:.0f} ms; plugin on top: "
          f"{plugin_s * 1000:.0f} ms (goal <= 150 ms) "
          f"{'PASS' if plugin_s <= 0.150 else 'MISS'} (the first start, compiling it: "
          f"{first_s * 1000:.0f} ms); heavy modules loaded: {heavy}")
    for uri, seconds in resolve_medians().items():
        print(f"  resolve_input {uri}: median {seconds * 1000:.1f} ms (goal <= 20 ms) "
              f"{'PASS' if seconds <= 0.020 else 'MISS'}")


if __name__ == "__main__":
    main()
