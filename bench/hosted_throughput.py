"""Benchmark 1: hosted throughput. 64 prompts against a local Replicate
server answering each prediction after 0.5 s: the plugin's run (concurrent,
paced to Replicate's documented 600 creates a minute) vs a one-request-at-a-
time loop over the same backend, as the older plugins did it. The documented
rate caps the ratio at loop / (64 / 10 per s + 0.5 s); goal: at least 90% of
that cap (it was 12x before the plugin paced to the provider's limit)."""

import os
import subprocess
import sys
import time

from bench.env import REPO, plugin_module, ratio_line

PROMPTS = [f"a corgi driving a car, take {i}" for i in range(64)]
LATENCY = 0.5
RATE = 600 / 60  # Replicate's documented prediction creates per second


def main():
    import fiftyone as fo
    import fiftyone.operators as foo

    from tests.providers import KEYS

    catalog = plugin_module("core.catalog")
    base = plugin_module("core.backends.base")
    key = KEYS["REPLICATE_API_TOKEN"]
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.serve_replicate", key, str(LATENCY)],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        os.environ.update(REPLICATE_BASE_URL=server.stdout.readline().strip(),
                          REPLICATE_API_TOKEN=key)
        model = catalog.get("flux-schnell")
        backend = model.backend("replicate")
        secrets = plugin_module("core.secrets").resolve_secrets()

        start = time.perf_counter()
        for prompt in PROMPTS:
            backend.generate(base.Job(model=model, prompt=prompt, seed=1, count=1),
                             secrets)
        baseline = time.perf_counter() - start

        dataset = fo.Dataset()
        start = time.perf_counter()
        res = foo.get_operator("@multigen/generate/txt2img")(
            dataset, prompt=PROMPTS, model="flux-schnell", backend="replicate", seed=1)
        plugin = time.perf_counter() - start
        assert len(res.result["sample_ids"]) == 64 and not res.result["failed"]
        dataset.delete()
    finally:
        server.stdin.close()
        server.wait(10)
    print(f"  one-at-a-time loop: {baseline:.2f} s; plugin: {plugin:.2f} s "
          f"(64 prompts, {LATENCY} s per prediction, server in its own process)")
    cap = baseline / (len(PROMPTS) / RATE + LATENCY)
    print(f"  Replicate's documented rate caps the ratio at {cap:.2f}x")
    print(ratio_line("hosted throughput (loop / plugin)", baseline / plugin,
                     round(0.9 * cap, 2), "higher"))


if __name__ == "__main__":
    main()
