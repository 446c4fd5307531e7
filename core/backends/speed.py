"""The fast path of local pipelines, and what every call gets.

``speed="safe"`` (the default) runs pipelines as their model cards do.
``speed="fast"`` adds, where the pipeline sits whole on the device (offload
hooks and layerwise casting do not mix with them), the diffusers speed
recipe (docs/providers-research.md, section 9):

- channels-last memory format for the UNet and the VAE
- fused attention projections (query, key and value in one matrix)
- ``torch.compile`` of the denoiser (``max-autotune``, full graph) on CUDA
  GPUs: the first call of each batch shape compiles (minutes), the next ones
  run faster
- VAE tiling for outputs over 1.5 megapixels (decodes in tiles: less memory,
  so larger batches; tile seams may differ slightly)

Images of the fast path may differ slightly from the safe path's (other
kernels). Every call, either way, decodes a batch one output at a time (VAE
slicing: the same pixels, a lower peak). What was applied is recorded
(``generation.speed``).
"""

TILE_PIXELS = 1_500_000
CONV_COMPONENTS = ("unet", "vae")
DENOISERS = ("unet", "transformer", "transformer_2")


def apply(pipe, fast, plan, pixels=0, tiling=True):
    """Puts ``pipe`` in the state this call asks for; returns the record."""
    import torch

    record = {"mode": "fast" if fast else "safe"}
    vae = getattr(pipe, "vae", None)
    if hasattr(vae, "use_slicing"):
        vae.enable_slicing()
    whole = plan.placement == "full" and not plan.fp8
    if fast and not whole:
        record["skipped"] = "the fast path needs the whole pipeline on the device"
        fast = False
    if getattr(pipe, "_multigen_fast", False) != fast:
        _switch(pipe, fast, plan.device, torch)
        pipe._multigen_fast = fast
    if fast:
        record["applied"] = list(pipe._multigen_fast_applied)
    if tiling and hasattr(vae, "use_tiling"):
        large = fast and pixels > TILE_PIXELS
        vae.enable_tiling() if large else vae.disable_tiling()
        if large:
            record["applied"].append("vae_tiling")
    return record


def _switch(pipe, fast, device, torch):
    applied = []
    layout = torch.channels_last if fast else torch.contiguous_format
    for name in CONV_COMPONENTS:
        module = _module(pipe, name)
        if module is not None:
            module.to(memory_format=layout)
            applied.append(f"channels_last:{name}")
    for name in (*DENOISERS, "vae"):
        module = _module(pipe, name)
        if module is None or not hasattr(module, "fuse_qkv_projections"):
            continue
        try:
            module.fuse_qkv_projections() if fast else module.unfuse_qkv_projections()
            applied.append(f"fused_qkv:{name}")
        except (ValueError, AttributeError):  # added KV projections: not fusable
            pass
    for name in DENOISERS:
        module = getattr(pipe, name, None)
        if module is None:
            continue
        original = getattr(module, "_orig_mod", None)
        if fast and original is None and device == "cuda":
            setattr(pipe, name, torch.compile(module, mode="max-autotune", fullgraph=True))
            applied.append(f"compile:{name}")
        elif not fast and original is not None:
            setattr(pipe, name, original)
    pipe._multigen_fast_applied = applied if fast else []


def _module(pipe, name):
    """A component, seen through ``torch.compile``'s wrapper."""
    module = getattr(pipe, name, None)
    return getattr(module, "_orig_mod", module)
