"""Where a local pipeline's weights live: a memory plan per model.

A plan is chosen once, when a model loads, from its size (measured per
component after loading into host memory) and the device and host memory it
may use, and is recorded on every output (``generation.memory``). On a CUDA
GPU, in this order (docs/providers-research.md, section 9):

- ``full``: every component on the GPU (fastest)
- ``model_offload``: components wait in host memory and move to the GPU
  whole, one at a time (``enable_model_cpu_offload``): the GPU needs the
  largest component plus the working memory
- ``group_offload``: groups of layers move in turn (``enable_group_offload``,
  with CUDA streams when host memory holds twice the weights): a few layers at
  a time on the GPU, faster than sequential offload
- the same three again with the denoiser's weights stored in fp8
  (``enable_layerwise_casting``), when none fits in 16 bits (host memory too
  small for the 16-bit weights, or no group offload in this diffusers)
- ``sequential_offload``: layer by layer (``enable_sequential_cpu_offload``),
  the slowest and smallest

On Apple GPUs and the CPU every component sits on the device (``full``).
When the weights do not fit in host memory either, no setting helps and
:class:`NotEnoughMemory` says so before anything loads.

Pure functions of sizes: nothing here imports torch.
"""

from dataclasses import asdict, dataclass, field
from typing import Dict, Optional, Tuple

GIB = 2**30
FULL, MODEL_OFFLOAD, GROUP_OFFLOAD, SEQUENTIAL_OFFLOAD = (
    "full", "model_offload", "group_offload", "sequential_offload")
PLACEMENTS = (FULL, MODEL_OFFLOAD, GROUP_OFFLOAD, SEQUENTIAL_OFFLOAD)
# what one layer group of group offloading holds, at most (a transformer
# block of the largest models here is well under this)
GROUP_BYTES = 1 * GIB
# fp8 storage: one byte a weight instead of two (bf16 / fp16)
FP8_FACTOR = 0.5


class NotEnoughMemory(Exception):
    """Even the smallest plan does not fit; the message says what would."""


@dataclass
class Sizes:
    """A loaded pipeline's weights, in bytes per component (in the dtype it
    runs in), and which components are its denoisers."""

    components: Dict[str, int]
    denoisers: Tuple[str, ...] = ()

    @property
    def total(self):
        return sum(self.components.values())

    @property
    def largest(self):
        return max(self.components.values(), default=0)

    @property
    def denoiser(self):
        return sum(self.components.get(n, 0) for n in self.denoisers)

    def in_fp8(self):
        """The sizes with the denoisers' weights stored in fp8."""
        return Sizes({n: int(b * FP8_FACTOR) if n in self.denoisers else b
                      for n, b in self.components.items()}, self.denoisers)


@dataclass
class MemoryPlan:
    """How a pipeline is placed, and what was known when it was chosen."""

    placement: str
    device: str
    fp8: bool = False  # denoiser weights stored in fp8, computed in 16 bits
    use_stream: bool = False  # group offload overlaps transfers with compute
    weights_gib: Optional[float] = None
    device_gib: Optional[float] = None  # what the device offered (None: no limit)
    host_gib: Optional[float] = None
    reason: str = ""
    extra: Dict = field(default_factory=dict)

    def record(self):
        return {k: v for k, v in asdict(self).items() if k != "extra"} | self.extra

    @property
    def on_device(self):
        """Whether the weights live on the device (else in host memory)."""
        return self.placement == FULL


def _gib(value):
    return None if value is None else round(value / GIB, 1)


def choose(sizes, device, *, free_device=None, free_host=None, working=0,
           forced=None, group_offload=True, layerwise=True):
    """The plan for a pipeline of ``sizes`` on ``device``.

    Args:
        sizes: :class:`Sizes`
        device: ``cuda``, ``mps`` or ``cpu``
        free_device: bytes the pipeline may use on the device (None: no limit)
        free_host: bytes of host memory it may use (None: unknown, not checked)
        working: bytes one call needs beside the weights (activations)
        forced: a placement the user asked for, or None to choose; on cuda
            ``full`` is taken as asked, any other is the least offloading
            accepted (the choice may go further when that does not fit)
        group_offload, layerwise: whether this diffusers has
            ``enable_group_offload`` and ``enable_layerwise_casting``
    """
    plan = MemoryPlan(FULL, device, weights_gib=_gib(sizes.total),
                      device_gib=_gib(free_device), host_gib=_gib(free_host))
    host_ok = (lambda need: free_host is None or need <= free_host)
    if device != "cuda":  # unified memory (mps) or the CPU itself
        if not host_ok(sizes.total):
            raise NotEnoughMemory(_host_message(sizes, free_host, fp8=None))
        plan.reason = f"all on {device}"
        return plan
    if forced == FULL:
        plan.reason = "asked for"
        return plan
    start = PLACEMENTS.index(forced) if forced in PLACEMENTS else 0
    device_ok = (lambda need: free_device is None or need + working <= free_device)
    tries = [(sizes, False)] + ([(sizes.in_fp8(), True)] if layerwise and sizes.denoisers
                                else [])
    for each, fp8 in tries:
        for placement in PLACEMENTS[start:-1]:
            if placement == GROUP_OFFLOAD and not group_offload:
                continue
            on_device = {FULL: each.total, MODEL_OFFLOAD: each.largest,
                         GROUP_OFFLOAD: min(GROUP_BYTES, each.largest)}[placement]
            in_host = 0 if placement == FULL else each.total
            if device_ok(on_device) and host_ok(in_host):
                plan.placement, plan.fp8 = placement, fp8
                plan.use_stream = placement == GROUP_OFFLOAD and host_ok(2 * each.total)
                plan.reason = _reason(placement, fp8, sizes, free_device, free_host)
                return plan
    if host_ok(sizes.total):
        plan.placement = SEQUENTIAL_OFFLOAD
        plan.reason = "the device holds too little for any layer group"
        return plan
    raise NotEnoughMemory(_host_message(sizes, free_host, fp8=layerwise and sizes.denoisers))


def _reason(placement, fp8, sizes, free_device, free_host):
    if placement == FULL and not fp8:
        return "fits the device"
    why = {MODEL_OFFLOAD: "the whole pipeline does not fit the device",
           GROUP_OFFLOAD: "its largest component does not fit the device",
           FULL: "fits the device with fp8 weights"}[placement]
    if fp8:
        why += ("; in 16 bits it fits neither the device nor host memory with any "
                "offload this diffusers has")
    return why


def _host_message(sizes, free_host, fp8):
    need = sizes.in_fp8().total if fp8 else sizes.total
    return (f"the model's weights need about {_gib(need)} GiB of host memory to load "
            f"{'even with fp8 weights ' if fp8 else ''}and {_gib(free_host)} GiB are "
            "available: close other programs, use a machine with more memory, or "
            "choose a smaller model (or a hosted backend)")


def out_of_memory_message(plan, width=None, height=None, frames=None):
    """What to say when one output does not fit: steps never change peak
    memory; the output's size does, and so does what else holds the GPU."""
    size = f" at {width}x{height}" if width and height else ""
    if frames:
        size += f", {frames} frames"
    text = f"the GPU ran out of memory for a single output{size}"
    if plan is not None and plan.placement != FULL:
        text += (f" although the model already runs with {plan.placement.replace('_', ' ')}"
                 f"{' and fp8 weights' if plan.fp8 else ''}")
    text += (": lower the width and height"
             f"{' or the frame count' if frames else ''}, free the GPU (other programs or "
             "models holding memory), or use a GPU with more memory; the number of steps "
             "does not change the memory a run needs")
    return text
