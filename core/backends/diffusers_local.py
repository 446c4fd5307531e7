"""Local generation with Hugging Face diffusers: what every task shares.

Pipelines load with ``from_pretrained(repo_id)`` exactly as users run them
(the hub cache, ``HF_TOKEN`` for gated repos) into host memory, then take a
memory plan chosen from their measured size and the free device and host
memory (:mod:`.placement`), on cuda, then mps, then cpu, in half precision
on GPUs. Loaded pipelines stay in the process within a memory budget
(:mod:`.residency`): the least recently used leave the device first.

A run hands this backend all its items of one model and options at once
(``generate_many``): prompts, negative prompts and per-output generators
(output ``i`` of an item uses ``seed + i``) are packed into pipeline calls
of a batch size chosen from the output size and the free memory, halved
when the device runs out of memory. Each task's subclass says what one
pipeline call makes (``call``). torch and diffusers are imported only when a
model actually runs.
"""

import dataclasses
import gc
import json
import logging
import os
import shutil
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, List, NamedTuple, Optional, Tuple

from ..params import SPEED
from . import placement, speed
from .base import Backend, GenerationError, Job
from .residency import (
    DEVICE_SETTING, HOST_SETTING, Entry, Residency, available_host_bytes, cap,
    setting_bytes,
)

logger = logging.getLogger(__name__)

# one call runs on the device at a time, and the residency's accounts only
# change under it (re-entrant: a chain's steps run local models in turn)
RUN_LOCK = threading.RLock()
# seconds each load took, newest last (benchmarks and provenance read it)
LOAD_SECONDS: Dict[tuple, list] = {}
DENOISERS = ("unet", "transformer", "transformer_2", "prior", "prior_prior", "decoder")


def _move(entry, to_device):
    """Moves a pipeline that sits whole on the device to host memory or back
    (offloaded plans already keep their weights in host memory)."""
    if entry.plan.on_device:
        entry.pipe.to(entry.plan.device if to_device else "cpu")
    if not to_device:
        release_memory()


def release_memory():
    """Returns freed device memory to the allocator's pool owner."""
    gc.collect()
    try:
        import torch
    except ImportError:
        return
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    mps = getattr(torch, "mps", None)
    if mps is not None and getattr(torch.backends, "mps", None) is not None \
            and torch.backends.mps.is_available():
        mps.empty_cache()


RESIDENCY = Residency(move=_move, release=release_memory)


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


def _snapshots(repo):
    return os.path.join(hub_cache_dir(), f"models--{repo.replace('/', '--')}", "snapshots")


def in_hub_cache(repo):
    """Whether a snapshot of ``repo`` is in the hub cache."""
    snapshots = _snapshots(repo)
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


def mps_supports_bfloat16():
    """bf16 on Apple GPUs needs macOS 14 and PyTorch 2.3 (pytorch#119641)."""
    import torch

    try:
        torch.zeros(1, dtype=torch.bfloat16, device="mps")
        return True
    except (RuntimeError, TypeError):
        return False


def is_out_of_memory(error):
    """CUDA's OutOfMemoryError, or the RuntimeError MPS raises."""
    import torch

    oom = getattr(torch, "OutOfMemoryError", None) or torch.cuda.OutOfMemoryError
    return isinstance(error, oom) or (
        isinstance(error, RuntimeError) and "out of memory" in str(error).lower())


def device_capacity(device):
    """Bytes the loaded pipelines may hold on ``device``: on cuda the free
    memory plus what they hold already, capped by the setting; elsewhere
    the setting (a simulated budget), None when unset."""
    limit = setting_bytes(DEVICE_SETTING)
    if device != "cuda":
        return limit
    import torch

    free, _total = torch.cuda.mem_get_info()
    return cap(limit, free + RESIDENCY.device_used())


def host_memory():
    """Host memory the loaded pipelines hold or could use: what is available
    plus what they hold there (None when unknown)."""
    available = available_host_bytes()
    return None if available is None else available + RESIDENCY.host_used()


def host_capacity():
    """Bytes evicted pipelines may keep in host memory (to come back without
    loading): the host memory, capped by the setting."""
    return cap(setting_bytes(HOST_SETTING), host_memory())


class Row(NamedTuple):
    """One output of a packed call: the item it belongs to and its seed."""

    job: Job
    seed: int


def weights_in_cache(repo, variant=None, dtype_bytes=2, by_folder=False):
    """Bytes ``repo``'s weights take in memory, read from the headers of the
    safetensors files in its hub cache snapshot (floating tensors at
    ``dtype_bytes`` each); None when it is not downloaded yet. Per folder,
    the ``variant`` files when there are any, safetensors over .bin.
    ``by_folder``: {top-level folder (component): bytes} instead."""
    snapshots = _snapshots(repo)
    if not os.path.isdir(snapshots):
        return None
    folders = sorted(os.scandir(snapshots), key=lambda e: e.stat().st_mtime)
    if not folders:
        return None
    snapshot, totals = folders[-1].path, {}
    for root, _dirs, files in os.walk(snapshot):
        component = os.path.relpath(root, snapshot).split(os.sep)[0]
        weights = [f for f in files if f.endswith((".safetensors", ".bin"))]
        chosen = [f for f in weights if variant and _is_variant(f, variant)]
        if not chosen:  # no such variant here: the full weights
            chosen = [f for f in weights if not any(_is_variant(f, v) for v in VARIANTS)]
        if any(f.endswith(".safetensors") for f in chosen):
            chosen = [f for f in chosen if f.endswith(".safetensors")]
        for name in chosen:
            path = os.path.join(root, name)
            totals[component] = totals.get(component, 0) + (
                _safetensors_bytes(path, dtype_bytes) if name.endswith(".safetensors")
                else os.path.getsize(path))
    return totals if by_folder else sum(totals.values())


VARIANTS = ("fp16", "bf16", "fp32", "fp8")


def _is_variant(filename, variant):
    return f".{variant}." in filename or f".{variant}-" in filename


_DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "F8_E4M3": 1, "F8_E5M2": 1,
                "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def _safetensors_bytes(path, dtype_bytes):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
    total = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        count = 1
        for dim in info["shape"]:
            count *= dim
        floating = info["dtype"].startswith(("F", "BF"))
        total += count * (dtype_bytes if floating else _DTYPE_BYTES.get(info["dtype"], 4))
    return total


def measure(pipe, denoisers=DENOISERS):
    """:class:`placement.Sizes` of a loaded pipeline."""
    import torch

    components = {}
    for name, module in pipe.components.items():
        if isinstance(module, torch.nn.Module):
            components[name] = sum(t.numel() * t.element_size() for t in
                                   (*module.parameters(), *module.buffers()))
    return placement.Sizes(components, tuple(n for n in denoisers if n in components))


def dtype_kwarg():
    """``dtype`` since diffusers 0.40, which deprecates ``torch_dtype``;
    ``torch_dtype`` before."""
    import diffusers

    try:
        major, minor = (int(p) for p in diffusers.__version__.split(".")[:2])
    except ValueError:
        return "dtype"
    return "dtype" if (major, minor) >= (0, 40) else "torch_dtype"


@dataclass
class Diffusers(Backend):
    """A model run locally with diffusers.

    Attributes:
        repo: the Hugging Face hub repo id
        pipeline: the diffusers pipeline class name
        gpu_dtype: ``float16`` or ``bfloat16`` (FLUX, SD3 and Wan want bf16;
            Apple GPUs get it too where macOS and PyTorch support it)
        variant: weights variant to prefer in half precision (``fp16``)
        scheduler: a scheduler class name to swap in, with ``scheduler_config``
        call_args: fixed keyword arguments for every pipeline call
        max_batch: the most outputs one pipeline call makes; the batch used is
            chosen from the output size and the free memory, and halved on
            out-of-memory
        working_gib: device memory one output needs beside the weights, per
            megapixel of output (denoising, guidance included)
        decode_gib: device memory the VAE needs to decode one output, per
            megapixel (outputs are decoded one at a time in a batch)
        gated: the repo needs an accepted licence and ``HF_TOKEN``
        recommended_negative: the negative prompt the model's docs run with,
            used (and recorded) when the user gives none
        made_for_cpu: distilled to run in seconds on a CPU (the form does
            not warn that it is slow without a GPU)
    """

    repo: str = ""
    pipeline: str = "DiffusionPipeline"
    gpu_dtype: str = "float16"
    variant: Optional[str] = None
    scheduler: Optional[str] = None
    scheduler_config: Dict[str, Any] = field(default_factory=dict)
    call_args: Dict[str, Any] = field(default_factory=dict)
    max_batch: int = 16
    working_gib: float = 1.0
    decode_gib: float = 2.5
    gated: bool = False
    recommended_negative: Optional[str] = None
    made_for_cpu: bool = False

    kind = "diffusers"
    label = "Local (diffusers)"
    packages = {"torch": "torch", "diffusers": "diffusers",
                "transformers": "transformers"}
    packs_inputs = True
    params: ClassVar[Tuple] = (SPEED,)

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

    def effective(self, options):
        """The options as the pipeline uses them: a blank negative prompt is
        the model's recommended one, where its docs give one; and a negative
        prompt acts only through classifier-free guidance, which diffusers
        turns off at ``guidance_scale <= 1``, so it is not sent (nor recorded)
        then."""
        if "negative_prompt" in options and not options["negative_prompt"] \
                and self.recommended_negative:
            options = {**options, "negative_prompt": self.recommended_negative}
        guidance = options.get("guidance_scale", self.call_args.get("guidance_scale"))
        if options.get("negative_prompt") and guidance is not None and guidance <= 1:
            return {**options, "negative_prompt": None}
        return options

    # loading -----------------------------------------------------------------

    def cache_key(self, device, dtype):
        return (type(self).__name__, self.repo, self.pipeline, self.scheduler,
                device, str(dtype))

    def device_and_dtype(self):
        import torch

        device = pick_device()
        dtype = torch.float32
        if device == "cuda":
            dtype = getattr(torch, self.gpu_dtype)
        elif device == "mps":
            wanted = getattr(torch, self.gpu_dtype)
            dtype = wanted if wanted != torch.bfloat16 or mps_supports_bfloat16() \
                else torch.float16
        return device, dtype

    def get_pipeline(self, secrets, options=None):
        """The loaded pipeline and its device, loading it when needed."""
        entry = self.acquire(secrets, options or {})
        return entry.pipe, entry.plan.device

    def acquire(self, secrets, options):
        """The residency entry of this model, on the device: from the process
        when loaded, back from host memory when evicted, else loaded with a
        memory plan (other pipelines leave the device as needed)."""
        device, dtype = self.device_and_dtype()
        key = self.cache_key(device, dtype)
        with RUN_LOCK:
            entry = RESIDENCY.use(key, device_capacity(device), host_capacity(),
                                  working=self.working_bytes(options))
            if entry is not None:
                self.ensure_placement(entry, self.forced_placement(options))
                return entry
            fp8 = self.precision_to_load(device, dtype)
            start = time.perf_counter()
            token = secrets.get("HF_TOKEN")
            pipe = self.load(dtype, token, self.fp8_denoisers(dtype, token) if fp8 else None)
            if hasattr(pipe, "set_progress_bar_config"):
                pipe.set_progress_bar_config(disable=True)
            sizes = measure(pipe)
            working = self.working_bytes(options)
            offered = RESIDENCY.make_room(sizes.total + working, device_capacity(device),
                                          host_capacity(), keep=key)
            host = host_memory()
            try:
                plan = placement.choose(
                    sizes, device, free_device=offered,
                    free_host=None if host is None else host - RESIDENCY.host_used(),
                    working=working, forced=self.forced_placement(options),
                    group_offload=hasattr(pipe, "enable_group_offload"),
                    layerwise=not fp8 and all(
                        hasattr(getattr(pipe, n), "enable_layerwise_casting")
                        for n in sizes.denoisers))
            except placement.NotEnoughMemory as e:
                raise GenerationError(f"{self.repo}: {e}") from None
            if fp8:  # already stored in fp8 as they loaded
                plan.fp8, plan.reason = True, plan.reason + (
                    "; fp8 denoiser weights: host memory cannot hold the 16-bit ones")
            plan = self.place(pipe, plan, sizes, dtype)
            LOAD_SECONDS.setdefault(key, []).append(time.perf_counter() - start)
            weights = measure(pipe).total if plan.fp8 else sizes.total
            return RESIDENCY.add(Entry(key, pipe, plan, weights))

    def forced_placement(self, options):
        """A placement the options ask for (the video ``memory`` option)."""
        return None

    def precision_to_load(self, device, dtype):
        """Checks, before loading, that host memory holds the weights (read
        from the hub cache; unknown before the first download), dropping
        pipelines parked there if that makes room. Returns True when only
        loading the denoisers straight into fp8 storage fits (CUDA)."""
        half = getattr(dtype, "itemsize", 2) == 2
        folders = weights_in_cache(self.repo, self.variant if half else None,
                                   getattr(dtype, "itemsize", 2), by_folder=True)
        if not folders:
            return False
        host = host_memory()
        expected = sum(folders.values())
        if RESIDENCY.free_host(expected, host):
            return False
        sizes = placement.Sizes(folders, tuple(n for n in DENOISERS if n in folders))
        if device == "cuda" and half and sizes.denoisers \
                and RESIDENCY.free_host(sizes.in_fp8().total, host):
            return True
        raise GenerationError(f"{self.repo}: " + placement._host_message(
            sizes, host - RESIDENCY.host_used(), fp8=device == "cuda" and sizes.denoisers))

    def fp8_denoisers(self, dtype, token):
        """The pipeline's denoisers, each loaded alone and stored in fp8 at
        once (``enable_layerwise_casting``), to pass to ``from_pretrained``:
        host memory then never holds more than one of them in 16 bits."""
        import diffusers
        import torch

        index = diffusers.DiffusionPipeline.load_config(self.repo, token=token)
        loaded = {}
        for name in DENOISERS:
            if isinstance(index.get(name), (list, tuple)) and index[name][1]:
                module = self.from_pretrained(index[name][1], self.repo, dtype, token,
                                              subfolder=name)
                module.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn,
                                                compute_dtype=dtype)
                loaded[name] = module
                release_memory()
        return loaded

    def ensure_placement(self, entry, want):
        """Moves a loaded pipeline between ``full`` and ``model_offload`` when
        a call asks for the other (under ``RUN_LOCK``). Group and sequential
        offload and fp8 weights stay as they loaded."""
        plan = entry.plan
        both = {want, plan.placement}
        if want is None or plan.device != "cuda" or plan.fp8 or want == plan.placement \
                or not both <= {placement.FULL, placement.MODEL_OFFLOAD}:
            return
        if want == placement.FULL:
            RESIDENCY.make_room(entry.weights, device_capacity(plan.device),
                                host_capacity(), keep=entry.key)
            entry.pipe.remove_all_hooks()
            try:
                entry.pipe.to(plan.device)
            except Exception as e:  # noqa: BLE001 - only out-of-memory is handled
                if not is_out_of_memory(e):
                    raise
                entry.pipe.to("cpu")
                release_memory()
                entry.pipe.enable_model_cpu_offload()
                return
        else:
            entry.pipe.enable_model_cpu_offload()
            release_memory()
        entry.plan = dataclasses.replace(plan, placement=want, reason="asked for")

    def load(self, dtype, token, preloaded=None):
        """Loads the pipeline into host memory (``preloaded``: components
        already loaded, by name); subclasses override for multi-part recipes."""
        pipe = self.from_pretrained(self.pipeline, self.repo, dtype, token, **(preloaded or {}))
        if self.scheduler:
            pipe.scheduler = self.make_scheduler(pipe.scheduler.config)
        return pipe

    def make_scheduler(self, base_config):
        import diffusers

        cls = getattr(diffusers, self.scheduler)
        return cls.from_config(base_config, **self.scheduler_config)

    def from_pretrained(self, class_name, repo, dtype, token, **kwargs):
        """``from_pretrained``, preferring the half-precision ``variant``. Only
        a missing variant falls back to the full weights: a gated, offline or
        network failure is reported as it is, not retried."""
        import diffusers
        import torch

        cls = getattr(diffusers, class_name)
        kwargs = {dtype_kwarg(): dtype, "token": token, **kwargs}
        half = dtype in (torch.float16, torch.bfloat16) or isinstance(dtype, dict)
        try:
            if self.variant and half:
                try:
                    return cls.from_pretrained(repo, variant=self.variant, **kwargs)
                except (OSError, ValueError) as e:
                    if not _missing_variant(e, self.variant):
                        raise
                    logger.info("%s has no %s variant; loading full weights",
                                repo, self.variant)
            return cls.from_pretrained(repo, **kwargs)
        except OSError as e:
            raise GenerationError(_load_error_message(repo, e)) from None

    def place(self, pipe, plan, sizes, dtype):
        """Puts the pipeline where ``plan`` says; a GPU that turns out fuller
        than it said gets the next plan that fits."""
        import torch

        if plan.fp8:
            for name in sizes.denoisers:
                module = getattr(pipe, name)
                if module.dtype != torch.float8_e4m3fn:  # not cast while loading
                    module.enable_layerwise_casting(
                        storage_dtype=torch.float8_e4m3fn, compute_dtype=dtype)
        if plan.placement == placement.FULL:
            try:
                pipe.to(plan.device)
                return plan
            except Exception as e:  # noqa: BLE001 - only out-of-memory is handled
                if not is_out_of_memory(e):
                    raise
            pipe.to("cpu")
            release_memory()
            plan.placement = placement.MODEL_OFFLOAD
            plan.reason += "; the GPU was fuller than it reported"
        if plan.placement == placement.MODEL_OFFLOAD:
            pipe.enable_model_cpu_offload()
        elif plan.placement == placement.GROUP_OFFLOAD:
            pipe.enable_group_offload(
                onload_device=torch.device(plan.device), offload_device=torch.device("cpu"),
                offload_type="leaf_level", use_stream=plan.use_stream)
        elif plan.placement == placement.SEQUENTIAL_OFFLOAD:
            pipe.enable_sequential_cpu_offload()
        return plan

    # running -----------------------------------------------------------------

    def generate(self, job, secrets):
        (_job, outputs, error), = self.generate_many([job], secrets)
        if error is not None and not outputs:
            raise error
        return outputs

    def generate_many(self, jobs, secrets):
        """Runs ``jobs`` (same model and options, any prompts and sources)
        packed into pipeline calls; yields ``(job, outputs, error)`` as each
        job's outputs are done (``error``: why some or all are missing)."""
        import torch

        rows = [Row(job, job.seed + i) for job in jobs for i in range(job.count)]
        done = {id(job): [] for job in jobs}
        failed = {}  # id(job) -> error
        options = jobs[0].options if jobs else {}
        index, batch = 0, None
        while index < len(rows):
            job = rows[index].job
            if id(job) in failed:
                index += 1
                continue
            if job.cancelled is not None and job.cancelled.is_set():
                return
            with RUN_LOCK:
                try:
                    entry = self.acquire(secrets, options)
                except GenerationError as e:
                    for each in jobs:
                        if id(each) not in failed and len(done[id(each)]) < each.count:
                            yield each, done[id(each)], e
                    return
                device = entry.plan.device
                if batch is None:
                    batch = self.batch_size(options, entry)
                chunk = rows[index:index + batch]
                generators = [torch.Generator(device="cpu" if device == "mps" else device)
                              .manual_seed(r.seed) for r in chunk]
                error, out_of_memory = None, False
                started = time.perf_counter()
                try:
                    produced = self.call(entry.pipe, chunk, generators, entry)
                except GenerationError as e:
                    error = e
                except Exception as e:  # noqa: BLE001 - a failed batch fails its jobs
                    if not is_out_of_memory(e):
                        error = GenerationError(f"{type(e).__name__}: {e}")
                    out_of_memory = error is None
                del generators
            if out_of_memory:  # outside the except block: its tensors are freed
                release_memory()
                if len(chunk) > 1:
                    batch = max(1, len(chunk) // 2)
                    continue
                error = GenerationError(self.out_of_memory_message(entry, options))
            if error is not None:
                for r in chunk:
                    failed.setdefault(id(r.job), error)
                yield from self._finish(chunk, done, failed)
                index += len(chunk)
                continue
            share = (time.perf_counter() - started) / max(1, len(chunk))
            for row, output in zip(chunk, produced):
                if isinstance(output, GenerationError):
                    failed.setdefault(id(row.job), output)
                    continue
                output.seed, output.latency_s = row.seed, share
                output.provider_ref = self.ref
                output.extra.setdefault("memory", entry.plan.record())
                done[id(row.job)].append(output)
            index += len(chunk)
            yield from self._finish(chunk, done, failed, rows[index:index + 1])

    @staticmethod
    def _finish(chunk, done, failed, following=()):
        """The jobs of ``chunk`` that are complete: none of their outputs
        comes later."""
        later = {id(r.job) for r in following}
        seen = set()
        for row in chunk:
            key = id(row.job)
            if key in later or key in seen:
                continue
            seen.add(key)
            error = failed.get(key)
            if error is not None or len(done[key]) == row.job.count:
                yield row.job, done[key], error

    def out_of_memory_message(self, entry, options):
        return placement.out_of_memory_message(
            entry.plan, options.get("width"), options.get("height"),
            options.get("num_frames"))

    def working_bytes(self, options, batch=1):
        """Device memory ``batch`` outputs need beside the weights."""
        width, height = options.get("width") or 1024, options.get("height") or 1024
        megapixels = width * height / 1e6 * (options.get("num_frames") or 1)
        return int(placement.GIB * megapixels * (self.working_gib * batch + self.decode_gib))

    def batch_size(self, options, entry):
        """Outputs per call: as many as the free device memory holds after the
        weights, at most ``max_batch``."""
        most = max(1, self.max_batch)
        capacity = device_capacity(entry.plan.device)
        if capacity is None:
            return most
        free = capacity - RESIDENCY.device_used()
        fits = 1
        while fits < most and self.working_bytes(options, fits + 1) <= free:
            fits += 1
        return fits

    def pipeline_kwargs(self, job):
        """Standard options pass straight through: diffusers uses the same names."""
        kwargs = dict(self.call_args)
        kwargs.update({k: v for k, v in job.options.items()
                       if v is not None and k != SPEED.name})
        return kwargs

    def apply_speed(self, pipe, entry, options, tiling=True):
        """Turns the fast path on or off for this call; what it did goes to
        provenance (``generation.speed``)."""
        return speed.apply(pipe, options.get(SPEED.name) == "fast", entry.plan,
                           pixels=(options.get("width") or 0) * (options.get("height") or 0),
                           tiling=tiling)

    def call(self, pipe, rows, generators, entry):
        """Runs one batch: ``rows`` (one :class:`Row` per output, each with
        its job's prompt, options and source, and its own generator) in one
        pipeline call; returns an :class:`Output`, or a ``GenerationError``
        for an output that failed, per row. Each task's local class says how."""
        raise NotImplementedError


def _missing_variant(error, variant):
    """Whether ``from_pretrained`` failed because the repo has no such
    weights variant (and not for a network, gated or offline reason)."""
    name = type(error).__name__
    if any(word in name for word in ("Gated", "LocalEntryNotFound", "HTTP", "Connection",
                                     "Timeout", "RepositoryNotFound")):
        return False
    text = str(error)
    return "variant" in text or f".{variant}." in text


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
        or "not fully cached" in text
    ):
        return (
            f"{repo} is not in the local Hugging Face cache and the hub cannot be "
            "reached: connect to the internet once (or unset HF_HUB_OFFLINE) "
            "so it can download"
        )
    return f"could not load {repo}: {text.splitlines()[0] if text else name}"
