"""Local generation with Hugging Face diffusers: what every task shares.

Pipelines load with ``from_pretrained(repo_id)`` exactly as users run them
(the hub cache, ``HF_TOKEN`` for gated repos), on cuda, then mps, then cpu,
in half precision on GPUs, and stay loaded for the life of the process so the
next run does not reload. Outputs are made in seeded batches (output ``i``
uses ``seed + i``), halved when the GPU runs out of memory. Each task's
subclass says what one pipeline call makes (``call``). torch and diffusers are
imported only when a model actually runs.
"""

import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from .base import Backend, GenerationError

logger = logging.getLogger(__name__)

_PIPELINES: Dict[tuple, Any] = {}
_LOAD_LOCKS: Dict[tuple, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()
# one model runs on a device at a time; hosted jobs run beside it
RUN_LOCK = threading.Lock()
# seconds each load took, newest last (benchmarks and provenance read it)
LOAD_SECONDS: Dict[tuple, list] = {}


def gpu_present():
    """A cheap hint for forms (no torch import): is an NVIDIA driver loaded?"""
    return os.path.exists("/proc/driver/nvidia/version") or bool(
        shutil.which("nvidia-smi")
    )


def hub_cache_dir():
    """The Hugging Face hub cache, found as huggingface_hub finds it (without
    importing it: forms stay light)."""
    if os.environ.get("HF_HUB_CACHE"):
        return os.environ["HF_HUB_CACHE"]
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "huggingface")
    return os.path.join(home, "hub")


def in_hub_cache(repo):
    """Whether a snapshot of ``repo`` is in the hub cache."""
    snapshots = os.path.join(hub_cache_dir(), f"models--{repo.replace('/', '--')}", "snapshots")
    return os.path.isdir(snapshots) and any(os.scandir(snapshots))


def pick_device():
    """cuda, then mps, then cpu; ``MULTIGEN_DEVICE`` overrides."""
    import torch

    forced = os.environ.get("MULTIGEN_DEVICE")
    if forced:
        return forced
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


@dataclass
class Diffusers(Backend):
    """A model run locally with diffusers.

    Attributes:
        repo: the Hugging Face hub repo id
        pipeline: the diffusers pipeline class name
        gpu_dtype: ``float16`` or ``bfloat16`` (FLUX and SD3 want bf16)
        variant: weights variant to prefer in half precision (``fp16``)
        scheduler: a scheduler class name to swap in, with ``scheduler_config``
        call_args: fixed keyword arguments for every pipeline call
        max_batch: the most images per pipeline call; halved on out-of-memory
        gated: the repo needs an accepted licence and ``HF_TOKEN``
    """

    repo: str = ""
    pipeline: str = "DiffusionPipeline"
    gpu_dtype: str = "float16"
    variant: Optional[str] = None
    scheduler: Optional[str] = None
    scheduler_config: Dict[str, Any] = field(default_factory=dict)
    call_args: Dict[str, Any] = field(default_factory=dict)
    max_batch: int = 4
    gated: bool = False

    kind = "diffusers"
    label = "Local (diffusers)"
    packages = {"torch": "torch", "diffusers": "diffusers",
                "transformers": "transformers"}

    @property
    def ref(self):
        return self.repo

    def notes(self, secrets):
        """Advice that does not block a run: whether the weights are in the
        hub cache yet; a gated repo may already be there, or the user logged
        in with ``hf auth login``."""
        notes = []
        if not in_hub_cache(self.repo):
            notes.append("not downloaded yet: the first run downloads its weights "
                         "from Hugging Face into the hub cache")
            if self.gated and not secrets.get("HF_TOKEN"):
                notes.append(f"gated: accept the licence at https://huggingface.co/"
                             f"{self.repo} and set HF_TOKEN (or hf auth login) first")
        return notes

    # loading -----------------------------------------------------------------

    def cache_key(self, device, dtype):
        return (type(self).__name__, self.repo, self.pipeline, self.scheduler,
                device, str(dtype))

    def get_pipeline(self, secrets):
        """The loaded pipeline, from the process cache when already loaded."""
        import torch

        device = pick_device()
        dtype = torch.float32
        if device == "cuda":
            dtype = getattr(torch, self.gpu_dtype)
        elif device == "mps":
            dtype = torch.float16
        key = self.cache_key(device, dtype)
        with _LOCKS_GUARD:
            lock = _LOAD_LOCKS.setdefault(key, threading.Lock())
        with lock:
            if key not in _PIPELINES:
                start = time.perf_counter()
                pipe = self.load(device, dtype, secrets.get("HF_TOKEN"))
                LOAD_SECONDS.setdefault(key, []).append(time.perf_counter() - start)
                _PIPELINES[key] = pipe
            return _PIPELINES[key], device

    def load(self, device, dtype, token):
        """Loads the pipeline; subclasses override for multi-part recipes."""
        pipe = self.from_pretrained(self.pipeline, self.repo, dtype, token)
        if self.scheduler:
            pipe.scheduler = self.make_scheduler(pipe.scheduler.config)
        return self.place(pipe, device)

    def make_scheduler(self, base_config):
        import diffusers

        cls = getattr(diffusers, self.scheduler)
        return cls.from_config(base_config, **self.scheduler_config)

    def from_pretrained(self, class_name, repo, dtype, token, **kwargs):
        import diffusers
        import torch

        cls = getattr(diffusers, class_name)
        kwargs = dict(torch_dtype=dtype, token=token, **kwargs)
        try:
            if self.variant and dtype in (torch.float16, torch.bfloat16):
                try:
                    return cls.from_pretrained(repo, variant=self.variant, **kwargs)
                except (OSError, ValueError):
                    logger.info("%s has no %s variant; loading full weights",
                                repo, self.variant)
            return cls.from_pretrained(repo, **kwargs)
        except OSError as e:
            raise GenerationError(_load_error_message(repo, e)) from None

    @staticmethod
    def place(pipe, device):
        """Moves the pipeline to ``device``; falls back to CPU offload when the
        whole pipeline does not fit on the GPU."""
        import torch

        if device != "cuda":
            return pipe.to(device)
        try:
            return pipe.to(device)
        except torch.cuda.OutOfMemoryError:
            pipe.to("cpu")
            torch.cuda.empty_cache()
            pipe.enable_model_cpu_offload()
            return pipe

    # running -----------------------------------------------------------------

    def generate(self, job, secrets):
        import torch

        pipe, device = self.get_pipeline(secrets)
        with RUN_LOCK:
            return self._generate_batched(pipe, device, job, torch)

    def _generate_batched(self, pipe, device, job, torch):
        """Runs ``job.count`` outputs in batches of at most ``max_batch``,
        halving the batch when the GPU runs out of memory."""
        outputs, batch, index = [], max(1, min(self.max_batch, job.count)), 0
        while index < job.count:
            size = min(batch, job.count - index)
            seeds = [job.seed + index + i for i in range(size)]
            generators = [
                torch.Generator(device="cpu" if device == "mps" else device)
                .manual_seed(s) for s in seeds
            ]
            try:
                produced = self.call(pipe, job, size, generators)
            except torch.cuda.OutOfMemoryError:
                torch.cuda.empty_cache()
                if size == 1:
                    raise GenerationError(
                        "the GPU ran out of memory even for one output; "
                        "lower the size or steps, or free GPU memory"
                    ) from None
                batch = max(1, size // 2)
                continue
            for seed, output in zip(seeds, produced):
                output.seed = seed
                output.provider_ref = self.ref
                outputs.append(output)
            index += size
        return outputs

    def pipeline_kwargs(self, job):
        """Standard options pass straight through: diffusers uses the same names."""
        kwargs = dict(self.call_args)
        kwargs.update({k: v for k, v in job.options.items() if v is not None})
        return kwargs

    def call(self, pipe, job, size, generators):
        """Runs one batch of ``size`` outputs, one generator each, and
        returns them as :class:`Output`; each task's local class says how."""
        raise NotImplementedError


def _load_error_message(repo, error):
    text = str(error)
    name = type(error).__name__
    if "Gated" in name or "gated" in text or "401" in text:
        return (
            f"{repo} is gated on Hugging Face: accept its licence at "
            f"https://huggingface.co/{repo} and set HF_TOKEN"
        )
    if "offline" in text.lower() or "LocalEntryNotFound" in name or (
        "cannot find the requested files" in text or "local_files_only" in text
    ):
        return (
            f"{repo} is not in the local Hugging Face cache and the hub cannot be "
            "reached: connect to the internet once (or unset HF_HUB_OFFLINE) "
            "so it can download"
        )
    return f"could not load {repo}: {text.splitlines()[0] if text else name}"
