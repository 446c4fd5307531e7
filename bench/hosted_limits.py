"""Benchmark 6: bulk hosted runs at the provider's own limit. 200 prompts
against a server (in its own process) that enforces the provider's
documented rate and answers each generation in 5 s. The bound is what the
provider allows: N / rate + latency. Goal: at most 1.15x the bound, with no
failed item."""

import os
import subprocess
import sys
import time

from bench.env import REPO, ratio_line

N, LATENCY = 200, 5.0
CASES = (  # provider, model, env var of its base URL, rate per second
    ("replicate", "flux-schnell", "REPLICATE_BASE_URL", 600 / 60),
    ("stability", "stable-image-core", "STABILITY_BASE_URL", 150 / 10),
    ("openai", "gpt-image-2", "OPENAI_BASE_URL", 600 / 60),  # a tier of 600 a minute
)


def run_case(provider, model, url_var, rate):
    import fiftyone as fo
    import fiftyone.operators as foo

    from tests.providers import KEYS

    key_var = {"replicate": "REPLICATE_API_TOKEN", "stability": "STABILITY_API_KEY",
               "openai": "OPENAI_API_KEY"}[provider]
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.serve_limited", provider, KEYS[key_var], str(LATENCY)],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip() + ("/v1" if provider == "openai" else "")
        os.environ.update({url_var: url, key_var: KEYS[key_var]})
        dataset = fo.Dataset()
        start = time.perf_counter()
        res = foo.get_operator("@multigen/generate/txt2img")(
            dataset, prompt=[f"a corgi, take {i}" for i in range(N)], model=model,
            backend=provider, seed=1)
        elapsed = time.perf_counter() - start
        failed = len(res.result["failed"])
        dataset.delete()
    finally:
        server.stdin.close()
        server.wait(30)
    bound = N / rate + LATENCY
    print(f"  {provider}: {N} prompts in {elapsed:.1f} s; the provider's bound "
          f"{N} / {rate:g} per s + {LATENCY:g} s = {bound:.1f} s; {failed} failed")
    print(ratio_line(f"{provider} at its limit (plugin / bound)", elapsed / bound,
                     1.15, "lower"))


def main():
    for case in CASES:
        run_case(*case)


if __name__ == "__main__":
    main()
