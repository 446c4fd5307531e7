"""GPU benchmark of the local backend: full-size SD 1.5 and SDXL with random
weights built from the configs in ``bench/configs`` (the hub repos'
architectures; no download), and SVD-XT under the automatic memory plan on
a GPU capped to 24 GB.

For each image model, 64 prompts (one image each) at its native size:

- ``loop``: a hand-written fp16 loop, one prompt per pipeline call
- ``batch8``: the same pipeline called with 8 prompts at a time
- ``plugin``: the plugin's local backend (``generate_many``: its own batch
  size, memory plan and placement), loading the pipeline from a folder the
  way users load from the hub
- ``plugin-fast``: the same with ``speed="fast"`` (compile time reported
  apart: a warm-up batch of the same shape runs first)

Reported per run: images/s, peak GPU memory, the denoiser's TFLOP/s (FLOPs
of one forward counted with ``torch.utils.flop_counter``, time measured with
CUDA events around every denoiser call) against the device's dense fp16
peak (a datasheet table; ``--peak-tflops`` overrides), and the batch sizes
the plugin chose. Then SVD-XT (25 frames, 1024x576) with ``memory="auto"``
under ``torch.cuda.set_per_process_memory_fraction`` at 24 GB (and
``MULTIGEN_DEVICE_MEMORY_GIB=24``, since the fraction is invisible to
``torch.cuda.mem_get_info``): seconds per video, peak memory, the plan.

Usage (from the repo root, on a CUDA machine with the plugin's requirements)::

    python -m bench.gpu                      # about 15-30 minutes on an H100
    python -m bench.gpu --out gpu.json --prompts 64 --steps 30
    python -m bench.gpu --dry-run            # CPU, tiny configs: exercises every path

Import-safe: nothing heavy is imported until ``main`` runs.
"""

import argparse
import contextlib
import dataclasses
import importlib
import json
import os
import sys
import tempfile
import time
import types

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = os.path.join(REPO, "bench", "configs")
GIB = 2**30

# dense fp16/bf16 tensor-core peaks (TFLOP/s, no sparsity) from NVIDIA
# datasheets, matched on the device name; --peak-tflops overrides
PEAK_TFLOPS = (("H200", 989.0), ("H100 PCIe", 756.0), ("H100", 989.0),
               ("A100", 312.0), ("L40S", 362.0), ("L4", 121.0), ("A10", 125.0),
               ("4090", 165.2), ("3090", 71.0), ("T4", 65.0), ("V100", 125.0))

# what each model runs at: (native size, pipeline class, components)
MODELS = {
    "sd15": (512, "StableDiffusionPipeline",
             ("unet", "vae", "text_encoder", "scheduler")),
    "sdxl": (1024, "StableDiffusionXLPipeline",
             ("unet", "vae", "text_encoder", "text_encoder_2", "scheduler")),
    "svd-xt": (None, "StableVideoDiffusionPipeline",
               ("unet", "vae", "image_encoder", "scheduler")),
}

# --dry-run: the same configs, shrunk (channels in multiples of 32 for the
# group norms, one layer each)
TINY_TEXT = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                 num_attention_heads=4, projection_dim=32, vocab_size=1000)
TINY_VAE = dict(block_out_channels=[32, 32, 32, 32], layers_per_block=1, sample_size=64)
TINY = {
    ("sd15", "unet"): dict(block_out_channels=[32, 64, 64, 64], layers_per_block=1,
                           cross_attention_dim=32, attention_head_dim=4, sample_size=8),
    ("sd15", "text_encoder"): TINY_TEXT,
    ("sdxl", "unet"): dict(block_out_channels=[32, 64, 64], layers_per_block=1,
                           transformer_layers_per_block=[1, 1, 1],
                           attention_head_dim=[2, 2, 2], cross_attention_dim=96,
                           addition_time_embed_dim=8,
                           projection_class_embeddings_input_dim=6 * 8 + 64,
                           sample_size=8),
    ("sdxl", "text_encoder"): TINY_TEXT,
    ("sdxl", "text_encoder_2"): {**TINY_TEXT, "hidden_size": 64, "projection_dim": 64},
    ("svd-xt", "unet"): dict(block_out_channels=[32, 64, 64, 64], layers_per_block=1,
                             num_attention_heads=[2, 2, 2, 2], cross_attention_dim=32,
                             addition_time_embed_dim=8,
                             projection_class_embeddings_input_dim=3 * 8, sample_size=8),
    ("svd-xt", "image_encoder"): dict(hidden_size=32, intermediate_size=64,
                                      num_hidden_layers=2, num_attention_heads=4,
                                      patch_size=32, projection_dim=32),
}


def plugin(name):
    """A module of the plugin from this checkout, without running its
    ``__init__`` (no FiftyOne, no database)."""
    if "multigen" not in sys.modules:
        package = types.ModuleType("multigen")
        package.__path__ = [REPO]
        sys.modules["multigen"] = package
    return importlib.import_module(f"multigen.{name}")


def config(model, component, tiny):
    with open(os.path.join(CONFIGS, model, f"{component}.json")) as f:
        values = json.load(f)
    if tiny:
        values.update(TINY.get((model, component), {}))
        if component == "vae":
            values.update(TINY_VAE)
    return values


def build(model, tiny, dtype, device):
    """The pipeline of ``model`` with random weights, from the configs."""
    import diffusers
    import torch
    import transformers

    from tests.tiny.text_to_image import clip_tokenizer

    parts = {}
    torch.manual_seed(0)
    for component in MODELS[model][2]:
        values = config(model, component, tiny)
        name = values.pop("_class_name")
        if component == "scheduler":
            parts[component] = getattr(diffusers, name).from_config(values)
            continue
        with torch.device(device):
            if hasattr(diffusers, name):
                module = getattr(diffusers, name).from_config(values)
            else:  # transformers: the config class of the model class
                cls = getattr(transformers, name)
                module = cls(cls.config_class(**values))
        parts[component] = module.to(dtype).eval()
    cls = getattr(diffusers, MODELS[model][1])
    if model == "svd-xt":
        parts["feature_extractor"] = transformers.CLIPImageProcessor(
            crop_size=224, size={"shortest_edge": 224})
        return cls(**parts)
    parts["tokenizer"] = clip_tokenizer()
    if model == "sdxl":
        parts["tokenizer_2"] = clip_tokenizer()
        return cls(**parts)
    return cls(**parts, safety_checker=None, feature_extractor=None,
               requires_safety_checker=False)


class DenoiserClock:
    """Time spent in the denoiser: CUDA events around each forward."""

    def __init__(self, module, cuda):
        self.cuda, self.pairs, self.seconds = cuda, [], 0.0
        self.handles = [module.register_forward_pre_hook(self._start),
                        module.register_forward_hook(self._stop)]

    def _event(self):
        import torch

        if self.cuda:
            event = torch.cuda.Event(enable_timing=True)
            event.record()
            return event
        return time.perf_counter()

    def _start(self, *_):
        self.pairs.append([self._event(), None])

    def _stop(self, *_):
        self.pairs[-1][1] = self._event()

    def close(self):
        import torch

        for handle in self.handles:
            handle.remove()
        if self.cuda:
            torch.cuda.synchronize()
            self.seconds = sum(a.elapsed_time(b) for a, b in self.pairs) / 1000
        else:
            self.seconds = sum(b - a for a, b in self.pairs)
        return self.seconds


def denoiser_flops(pipe, model, size, device, dtype):
    """FLOPs of one denoiser forward for one image with guidance (batch 2)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    unet = getattr(pipe.unet, "_orig_mod", pipe.unet)
    latent = size // 8
    channels = unet.config.in_channels
    sample = torch.randn(2, channels, latent, latent, device=device, dtype=dtype)
    text = torch.randn(2, 77, unet.config.cross_attention_dim, device=device, dtype=dtype)
    kwargs = {}
    if model == "sdxl":
        pooled = unet.config.projection_class_embeddings_input_dim - \
            6 * unet.config.addition_time_embed_dim
        kwargs["added_cond_kwargs"] = {
            "text_embeds": torch.randn(2, pooled, device=device, dtype=dtype),
            "time_ids": torch.randn(2, 6, device=device, dtype=dtype)}
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        unet(sample, torch.tensor([500] * 2, device=device), text, **kwargs)
    return counter.get_total_flops()


@contextlib.contextmanager
def measured(device):
    """Wall time and peak memory of the block: yields a dict filled after."""
    import torch

    out = {}
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    yield out
    if device == "cuda":
        torch.cuda.synchronize()
        out["peak_gib"] = round(torch.cuda.max_memory_allocated() / GIB, 2)
    out["seconds"] = time.perf_counter() - start


def image_runs(model, args, device, dtype, folder):
    """The four ways to make ``args.prompts`` images of ``model``."""
    import torch

    size = 64 if args.dry_run else MODELS[model][0]
    prompts = [f"a photo of object number {i}, studio light" for i in range(args.prompts)]
    call = dict(num_inference_steps=args.steps, height=size, width=size, guidance_scale=7.5)
    pipe = build(model, args.dry_run, dtype, device)
    pipe.set_progress_bar_config(disable=True)
    flops = denoiser_flops(pipe, model, size, device, dtype)
    gen_device = device

    def seeded(seeds):
        return [torch.Generator(gen_device).manual_seed(s) for s in seeds]

    def loop():
        for i, prompt in enumerate(prompts):
            pipe(prompt, generator=seeded([i])[0], **call)

    def batch8():
        for i in range(0, len(prompts), 8):
            pipe(prompts[i:i + 8], generator=seeded(range(i, i + 8))[:len(prompts[i:i + 8])],
                 **call)

    results = {}
    for name, run in (("loop", loop), ("batch8", batch8)):
        results[name] = timed(name, run, pipe, len(prompts), flops, args, device)
    pipe.save_pretrained(folder)
    del pipe
    torch.cuda.empty_cache() if device == "cuda" else None

    image_local = plugin("text_to_image.local")
    local = plugin("core.backends.diffusers_local")
    base = plugin("core.backends.base")
    backend = image_local.DiffusersImage(repo=folder, pipeline=MODELS[model][1])
    sizes = []
    real_call = image_local.DiffusersImage.call

    def counting(self, pipe, rows, generators, entry):
        sizes.append(len(rows))
        return real_call(self, pipe, rows, generators, entry)

    image_local.DiffusersImage.call = counting
    try:
        for speed in ("safe", "fast"):
            options = {**call, "speed": speed}
            jobs = [base.Job(model=None, prompt=p, options=options, seed=i)
                    for i, p in enumerate(prompts)]
            backend.get_pipeline({}, options)
            entry = next(iter(local.RESIDENCY.entries.values()))
            if speed == "fast":  # compile for the batch shape first, timed apart
                with measured(device) as warm:
                    list(backend.generate_many(jobs[:backend.batch_size(options, entry)], {}))
            sizes.clear()
            pipe = backend.get_pipeline({}, options)[0]
            name = "plugin" if speed == "safe" else "plugin-fast"
            results[name] = timed(name, lambda: list(backend.generate_many(jobs, {})), pipe,
                                  len(prompts), flops, args, device)
            results[name]["batches"] = sorted(set(sizes))
            results[name]["memory_plan"] = entry.plan.record()
            if speed == "fast":
                results[name]["compile_seconds"] = round(warm["seconds"], 1)
    finally:
        image_local.DiffusersImage.call = real_call
        local.RESIDENCY.clear()
    return results


def timed(name, run, pipe, images, flops, args, device):
    clock = DenoiserClock(pipe.unet, device == "cuda")
    with measured(device) as out:
        run()
    denoiser_s = clock.close()
    total_flops = flops * args.steps * images
    result = {"images_per_s": round(images / out["seconds"], 3),
              "seconds": round(out["seconds"], 2), "peak_gib": out.get("peak_gib"),
              "denoiser_s": round(denoiser_s, 2),
              "denoiser_tflops": round(total_flops / max(denoiser_s, 1e-9) / 1e12, 2)}
    if args.peak_tflops:
        result["of_peak"] = round(result["denoiser_tflops"] / args.peak_tflops, 3)
    print(f"  {name:12s} {result}", flush=True)
    return result


def video_run(args, device, dtype, folder):
    """SVD-XT, memory=auto, on a GPU capped to 24 GB."""
    import numpy as np
    import torch
    from PIL import Image

    pipe = build("svd-xt", args.dry_run, dtype, device)
    pipe.save_pretrained(folder)
    del pipe
    if device == "cuda":
        total = torch.cuda.get_device_properties(0).total_memory
        torch.cuda.set_per_process_memory_fraction(min(1.0, 24 * GIB / total))
        torch.cuda.empty_cache()
    os.environ["MULTIGEN_DEVICE_MEMORY_GIB"] = "24"
    svd_xt = plugin("img2video.models").SVD_XT
    backend = dataclasses.replace(svd_xt.backend("diffusers"), repo=folder, variant=None)
    base = plugin("core.backends.base")
    width, height, frames = (64, 64, 2) if args.dry_run else (1024, 576, 25)
    source = os.path.join(folder, "source.png")
    Image.fromarray(np.full((height, width, 3), 128, np.uint8)).save(source)
    options = dict(width=width, height=height, num_frames=frames, fps=7,
                   motion_bucket_id=127, noise_aug_strength=0.02,
                   num_inference_steps=1 if args.dry_run else 25,
                   min_guidance_scale=1.0, max_guidance_scale=3.0, sizing="crop",
                   memory="auto", speed="safe", decode_chunk_size=None)
    job = base.Job(model=None, options=options, seed=1, source_path=source)
    with measured(device) as out:
        (_, outputs, error), = backend.generate_many([job], {})
    result = {"seconds_per_video": round(out["seconds"], 1), "peak_gib": out.get("peak_gib"),
              "error": str(error) if error else None,
              "memory": outputs[0].extra.get("memory") if outputs else None}
    print(f"  svd-xt (24 GB cap) {result}", flush=True)
    plugin("core.backends.diffusers_local").RESIDENCY.clear()
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true",
                        help="tiny configs on the CPU: checks every path, measures nothing")
    parser.add_argument("--prompts", type=int, default=None)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--peak-tflops", type=float, default=None)
    parser.add_argument("--models", default="sd15,sdxl,svd-xt")
    parser.add_argument("--out", default=None, help="write the results as JSON")
    args = parser.parse_args(argv)
    args.prompts = args.prompts or (4 if args.dry_run else 64)
    args.steps = args.steps or (1 if args.dry_run else 30)

    sys.path.insert(0, REPO)
    import torch

    device = "cpu" if args.dry_run else "cuda"
    if device == "cuda" and not torch.cuda.is_available():
        sys.exit("bench.gpu needs a CUDA GPU (or --dry-run)")
    dtype = torch.float32 if args.dry_run else torch.float16
    os.environ.setdefault("MULTIGEN_DEVICE", device)
    report = {"device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu (dry run)",
              "torch": torch.__version__, "prompts": args.prompts, "steps": args.steps}
    if device == "cuda" and args.peak_tflops is None:
        args.peak_tflops = next((p for name, p in PEAK_TFLOPS if name in report["device"]),
                                None)
    report["peak_tflops"] = args.peak_tflops
    print(f"{report['device']}, torch {torch.__version__}, {args.prompts} prompts, "
          f"{args.steps} steps, peak {args.peak_tflops} TFLOP/s", flush=True)
    with tempfile.TemporaryDirectory(prefix="multigen-gpu-bench-") as scratch:
        for model in args.models.split(","):
            print(f"[{model}]", flush=True)
            folder = os.path.join(scratch, model)
            if model == "svd-xt":
                report[model] = video_run(args, device, dtype, folder)
            else:
                report[model] = image_runs(model, args, device, dtype, folder)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)
    return report


if __name__ == "__main__":
    main()
