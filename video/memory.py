"""How a local video pipeline uses GPU memory.

Video diffusion holds every frame's latents at once and decodes them through
a large VAE, so a model that fits a big GPU runs out of memory on a smaller
one. Before each run a plan is picked from the free GPU memory (``auto``), or
forced by the user (``fast``: everything on the GPU; ``low``: model CPU
offload, forward chunking, a small VAE decode chunk and VAE tiling). The plan
used is recorded on each sample.
"""

from dataclasses import asdict, dataclass
from typing import Optional

MEMORY_MODES = ("auto", "fast", "low")
FAST_DECODE_CHUNK = 8  # frames the VAE decodes at once (diffusers' SVD docs)
LOW_DECODE_CHUNK = 2
GIB = 2**30


@dataclass
class MemoryPlan:
    mode: str  # what the user asked: auto, fast or low
    plan: str  # what runs: fast or low
    device: str
    available_gpu_gib: Optional[float] = None  # free + what the pipeline holds
    cpu_offload: bool = False
    forward_chunking: bool = False
    vae_tiling: bool = False
    decode_chunk_size: Optional[int] = None

    @property
    def low(self):
        return self.plan == "low"

    def record(self):
        return asdict(self)


def available_gpu_bytes(pipe):
    """Free GPU memory plus what ``pipe`` already holds there: a loaded
    pipeline's own weights must not make the next run look short of memory."""
    import torch

    free, _total = torch.cuda.mem_get_info()
    held = sum(
        p.numel() * p.element_size()
        for c in pipe.components.values() if isinstance(c, torch.nn.Module)
        for p in c.parameters() if p.device.type == "cuda"
    )
    return free + held


def choose(mode, device, fast_gib, *, decode_chunk_size=None, chunked_decode=False,
           free_bytes=None):
    """The plan for ``mode`` on ``device``.

    Args:
        mode: ``auto``, ``fast`` or ``low``
        device: ``cuda``, ``mps`` or ``cpu``; free memory is only read on cuda,
            and CPU offload only applies there
        fast_gib: GPU memory (GiB) the model needs to run all on the GPU
        decode_chunk_size: the user's own decode chunk (overrides the plan's)
        chunked_decode: whether the pipeline takes ``decode_chunk_size``
        free_bytes: GPU memory the run may use (:func:`available_gpu_bytes`);
            needed on cuda
    """
    if mode not in MEMORY_MODES:
        raise ValueError(f"memory must be one of {', '.join(MEMORY_MODES)}; got {mode!r}")
    gib = round(free_bytes / GIB, 1) if device == "cuda" else None
    low = mode == "low" or (mode == "auto" and gib is not None and gib < fast_gib)
    chunk = None
    if chunked_decode:
        chunk = decode_chunk_size or (LOW_DECODE_CHUNK if low else FAST_DECODE_CHUNK)
    return MemoryPlan(
        mode=mode, plan="low" if low else "fast", device=device, available_gpu_gib=gib,
        cpu_offload=low and device == "cuda", forward_chunking=low, vae_tiling=low,
        decode_chunk_size=chunk,
    )


def apply(pipe, plan):
    """Sets how ``pipe`` uses memory for frames as ``plan`` asks (the
    pipeline is kept between runs, so a plan also undoes the previous
    run's); returns the plan with what this pipeline actually supports.
    Where the weights live (offload) is the backend's placement."""
    chunked = False
    for name in ("unet", "transformer", "transformer_2"):
        model = getattr(pipe, name, None)
        model = getattr(model, "_orig_mod", model)
        if model is not None:
            chunked = _set_forward_chunking(model, plan.forward_chunking) or chunked
    vae = getattr(pipe, "vae", None)
    tiled = hasattr(vae, "use_tiling") and plan.vae_tiling  # not every VAE tiles
    if hasattr(vae, "use_tiling"):
        vae.enable_tiling() if plan.vae_tiling else vae.disable_tiling()
    plan.forward_chunking, plan.vae_tiling = chunked, tiled
    return plan


def _set_forward_chunking(model, on):
    """Feed-forward layers one slice at a time (``enable_forward_chunking``
    with chunk 1), or all at once; False when the model has none to chunk."""
    blocks = [m for m in model.modules() if hasattr(m, "set_chunk_feed_forward")]
    for block in blocks:
        block.set_chunk_feed_forward(chunk_size=1 if on else None, dim=0)
    return on and bool(blocks)
