"""Benchmark 4: warm local runs. The second run on the same local model
spends far less time loading than the first, because loaded pipelines stay
in the process. Measured with a tiny SDXL pipeline from the hub cache
(offline), through the operator. Goal: at least 20x less loading."""

import time

from bench.env import HUB_CACHE, plugin_module


def main():
    import fiftyone as fo
    import fiftyone.operators as foo

    from tests.tiny.text_to_image import install_text_to_image

    install_text_to_image(HUB_CACHE, ["stabilityai/stable-diffusion-xl-base-1.0"])
    local = plugin_module("core.backends.diffusers_local")
    catalog = plugin_module("core.catalog")
    backend = catalog.get("sdxl").backend("diffusers")
    op = foo.get_operator("@multigen/generate/txt2img")
    dataset = fo.Dataset()
    kwargs = dict(prompt="a cat", model="sdxl", backend="diffusers", width=64,
                  height=64, num_inference_steps=1)

    start = time.perf_counter()
    op(dataset, **kwargs)
    first_run = time.perf_counter() - start
    first_load = sum(sum(v) for k, v in local.LOAD_SECONDS.items() if k[1] == backend.repo)

    start = time.perf_counter()
    backend.get_pipeline({})  # what the second run spends getting its pipeline
    second_load = time.perf_counter() - start
    start = time.perf_counter()
    op(dataset, **kwargs)
    second_run = time.perf_counter() - start
    dataset.delete()
    ratio = first_load / max(second_load, 1e-6)
    print(f"  first run {first_run:.2f} s (loading {first_load:.3f} s); second run "
          f"{second_run:.2f} s (loading {second_load * 1000:.3f} ms)")
    print(f"warm local runs (first load / second load): {ratio:.0f}x (goal >= 20x) "
          f"{'PASS' if ratio >= 20 else 'MISS'}")


if __name__ == "__main__":
    main()
