"""Benchmark 5: how far the same seed drifts across batch sizes and kernel
paths. Measures the figure the README promises (and the tests assert).

For every local text-to-image model (tiny random-weight pipelines, as the
tests use), image 2 of a seed-7 batch of two is compared with a seed-8 run of
batch one; each run under four kernel paths: 1 or 2 CPU threads, oneDNN on or
off (as on another processor, where CPU kernels take other paths). Prints the
largest mean and max absolute pixel difference (0-255) seen between any two
of them, next to the difference between two different seeds.
"""

import itertools

import numpy as np

from bench.env import HUB_CACHE  # the tests' offline hub cache (set before any import)

REPOS = (
    "stable-diffusion-v1-5/stable-diffusion-v1-5",
    "stabilityai/stable-diffusion-xl-base-1.0",
    "stabilityai/sdxl-turbo",
    "SimianLuo/LCM_Dreamshaper_v7",
    "stabilityai/stable-diffusion-3-medium-diffusers",
    "black-forest-labs/FLUX.1-schnell",
)
SIZE = 64


def kernel_paths():
    """(threads, oneDNN) pairs: a different processor may take any of these."""
    return list(itertools.product((1, 2), (True, False)))


def run(pipe, seeds, threads, onednn):
    import torch

    torch.set_num_threads(threads)
    torch.backends.mkldnn.enabled = onednn
    generators = [torch.Generator("cpu").manual_seed(s) for s in seeds]
    images = pipe(prompt=["a lighthouse"] * len(seeds), generator=generators,
                  num_inference_steps=2, height=SIZE, width=SIZE,
                  output_type="np").images
    return [np.round(np.clip(i, 0, 1) * 255).astype(int) for i in images]


def main():
    import diffusers

    from tests.tiny.text_to_image import PIPELINE_CLASSES, install_text_to_image

    install_text_to_image(HUB_CACHE, REPOS)
    worst_mean = worst_max = 0.0
    closest_other = float("inf")
    for repo in REPOS:
        pipe = getattr(diffusers, PIPELINE_CLASSES[repo]).from_pretrained(repo)
        pipe.set_progress_bar_config(disable=True)
        images = []
        for threads, onednn in kernel_paths():
            images.append(run(pipe, [7, 8], threads, onednn)[1])  # batch of two
            images.append(run(pipe, [8], threads, onednn)[0])  # batch of one
        other = run(pipe, [9], 1, True)[0]
        pairs = list(itertools.combinations(images, 2))
        mean = max(np.abs(a - b).mean() for a, b in pairs)
        peak = max(np.abs(a - b).max() for a, b in pairs)
        apart = np.abs(images[0] - other).mean()
        worst_mean, worst_max = max(worst_mean, mean), max(worst_max, peak)
        closest_other = min(closest_other, apart)
        print(f"  {repo}: same seed within mean {mean:.3f}, max {peak}; "
              f"another seed differs by mean {apart:.1f}")
    print(f"same seed across batch sizes and kernel paths: mean abs difference "
          f"<= {worst_mean:.3f}, max <= {worst_max:.0f} (of 255); another seed: "
          f"mean >= {closest_other:.1f}")


if __name__ == "__main__":
    main()
