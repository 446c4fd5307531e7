"""Benchmark: scoring throughput. 1,000 generated images (256x256 PNGs, 50
prompts) scored with CLIPScore through the plugin (``score_samples``:
batched forwards, prompts embedded once, files decoded while the model
runs, one bulk write per batch) vs the plain loop a user would write with
the same library: one image at a time through the same model and
processor, saved with ``iter_samples(autosave=True)``. Both write the same
scores (checked), so the ratio is images per second, plugin / loop. The
two run in turn, twice each, and each keeps its faster round: other work
on a shared machine then weighs on both alike.
Goal: >= 1.0x. Tiny random-weight CLIP on the CPU by default; on a GPU
(``MULTIGEN_DEVICE=cuda``) it runs on the GPU; ``MULTIGEN_REAL_WEIGHTS=1`` scores
with the real weights of your hub cache instead. One torch thread on the CPU
(``MULTIGEN_BENCH_THREADS`` changes it): on a busy 2-core machine two
threads make every tiny forward wait on the other thread, which would
inflate the loop's cost and the ratio.

    .venv/bin/python -m bench.scoring_throughput [count]
"""

import os
import sys
import tempfile
import time

from bench.env import HUB_CACHE, plugin_module, ratio_line

COUNT = 1000
PROMPTS = 50
ROUNDS = 2
GOAL = 1.0


def make_images(count, folder):
    import numpy as np
    from PIL import Image

    rng = np.random.RandomState(0)
    paths = []
    for i in range(count):
        path = os.path.join(folder, f"img{i:04d}.png")
        pixels = rng.randint(0, 255, (8, 8, 3), dtype=np.uint8)
        Image.fromarray(pixels).resize((256, 256)).save(path)
        paths.append(path)
    return paths


def dataset_of(paths):
    import fiftyone as fo

    dataset = fo.Dataset()
    dataset.add_samples([
        fo.Sample(filepath=p, tags=["generated"], generation=fo.DynamicEmbeddedDocument(
            prompt=f"prompt number {i % PROMPTS}", model="bench"))
        for i, p in enumerate(paths)])
    dataset.add_dynamic_sample_fields()
    return dataset


def plain_loop(dataset, device):
    """What a user writes: each sample through the model on its own."""
    import torch
    from PIL import Image
    from transformers import CLIPModel, CLIPProcessor

    model = CLIPModel.from_pretrained("openai/clip-vit-large-patch14").eval().to(device)
    processor = CLIPProcessor.from_pretrained("openai/clip-vit-large-patch14")
    for sample in dataset.iter_samples(autosave=True):
        image = Image.open(sample.filepath).convert("RGB")
        inputs = processor(text=[sample.generation.prompt], images=image,
                           return_tensors="pt", padding=True, truncation=True,
                           max_length=77).to(device)
        with torch.inference_mode():
            out = model(**inputs)
        cos = torch.nn.functional.cosine_similarity(out.image_embeds, out.text_embeds)
        sample["loop_clip_score"] = float(100 * cos.clamp(min=0))


def main(count=COUNT):
    import torch

    from tests.tiny import hub_cache
    from tests.tiny.scorers import install_scorers

    torch.set_num_threads(int(os.environ.get("MULTIGEN_BENCH_THREADS", "1")))
    if not os.environ.get("MULTIGEN_REAL_WEIGHTS"):  # tiny weights unless asked
        install_scorers(HUB_CACHE)
        hub_cache.use_hub_cache(HUB_CACHE)
    scoring = plugin_module("scores.scoring")
    pick_device = plugin_module("core.backends.diffusers_local").pick_device
    device = pick_device()
    folder = tempfile.mkdtemp(prefix="bench-scores-")
    paths = make_images(count, folder)
    ours, loop = dataset_of(paths), dataset_of(paths)

    # both load their model before the clock starts (the loop's own copy)
    scoring.Session(["clip_score"]).scorer(plugin_module("core.metrics").get("clip_score"))
    plain_loop(loop.limit(2), device)  # warm up: model load, first forward
    ours_s = loop_s = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = scoring.score_samples(ours, ["clip_score"], rescore=True)
        ours_s = min(ours_s, time.perf_counter() - start)
        assert result["scored"] == {"clip_score": count} and not result["failed"], result
        start = time.perf_counter()
        plain_loop(loop, device)
        loop_s = min(loop_s, time.perf_counter() - start)

    a, b = ours.values("scores.clip_score"), loop.values("loop_clip_score")
    worst = max(abs(x - y) for x, y in zip(a, b))
    assert worst < 0.05, f"the two paths disagree by {worst}"
    print(f"{count} images on {device} ({torch.get_num_threads()} torch threads, best of "
          f"{ROUNDS} rounds each): "
          f"plugin {count / ours_s:.1f} images/s ({ours_s:.2f} s), plain loop "
          f"{count / loop_s:.1f} images/s ({loop_s:.2f} s); largest score difference "
          f"{worst:.4f}")
    print(ratio_line("scoring throughput, plugin / plain loop", loop_s / ours_s, GOAL,
                     "higher"))
    ours.delete()
    loop.delete()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else COUNT)
