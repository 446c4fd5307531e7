"""Video pipelines run locally with diffusers (text to video and image to
video).

The shared :class:`Diffusers` backend loads, places and keeps the pipeline
and runs one output per call; this class turns the options (and the source
image, for image to video) into the pipeline call, picks how frames use
memory (and, with ``memory``, whether the pipeline offloads), and encodes the
frames as an H.264 MP4.
"""

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from ..core.backends import placement
from ..core.backends.base import Output
from ..core.backends.diffusers_local import (
    RESIDENCY, Diffusers, is_out_of_memory, release_memory,
)
from ..core.backends.residency import DEVICE_SETTING, setting_bytes
from . import memory
from .mp4 import encode_mp4, to_uint8
from .sizing import load_source

# options that shape the call but are no pipeline arguments
NOT_PIPELINE_ARGS = ("sizing", "memory", "speed")


@dataclass
class DiffusersVideo(Diffusers):
    """A diffusers video pipeline: image to video when the job has a source
    image (fitted to the frame as ``sizing`` says), else text to video.

    Attributes:
        call_fields: standard option name -> the pipeline's argument name;
            None keeps an option out of the call (``fps`` when the pipeline
            does not take it: it then only sets the MP4's frame rate)
        chunked_decode: the pipeline takes ``decode_chunk_size``
        fp32_components: parts that stay in float32 on GPUs (Wan's VAE and
            image encoder, as its model card loads them)
        fast_gib: free GPU memory (GiB) below which ``memory=auto`` picks the
            low-memory plan; a rough need at the model's default size
        timestep_decode: decode arguments for a VAE that is timestep
            conditioned (LTX-Video 0.9.1 and later), sent only when it is
    """

    call_fields: Dict[str, Optional[str]] = field(default_factory=dict)
    chunked_decode: bool = False
    fp32_components: Tuple[str, ...] = ()
    fast_gib: float = 24.0
    timestep_decode: Dict[str, float] = field(default_factory=dict)
    max_batch: int = 1  # one video per call: frames already fill the GPU

    def load(self, dtype, token, preloaded=None):
        import torch

        torch_dtype = dtype
        if self.fp32_components and dtype != torch.float32:
            torch_dtype = {"default": dtype,
                           **{name: torch.float32 for name in self.fp32_components}}
        return self.from_pretrained(self.pipeline, self.repo, torch_dtype, token,
                                    **(preloaded or {}))

    def forced_placement(self, options):
        """``memory=fast`` keeps the whole pipeline on the GPU; ``low`` offloads
        at least model by model; ``auto`` lets the plan choose."""
        return {"fast": placement.FULL, "low": placement.MODEL_OFFLOAD}.get(
            options.get("memory") or "auto")

    def working_bytes(self, options, batch=1):
        # what frames need is judged per call from ``fast_gib`` (memory_plan)
        return 0

    def call(self, pipe, rows, generators, entry):
        options = rows[0].job.options
        image = None
        if rows[0].job.source_path:
            image = load_source(rows[0].job.source_path, options["width"],
                                options["height"], options.get("sizing") or "crop")
        plan = self.memory_plan(pipe, options, entry)
        record = self.apply_speed(pipe, entry, options, tiling=False)
        frames, out_of_memory = None, False
        try:
            frames = self.render(pipe, rows[0], image, generators[0], plan, entry)
        except Exception as e:  # noqa: BLE001 - only out-of-memory is retried
            if not is_out_of_memory(e) or plan.mode != "auto" or plan.low:
                raise
            out_of_memory = True
        if out_of_memory:
            # outside the except block, so the failed attempt's tensors are
            # freed: once more, frugally
            release_memory()
            plan = self.memory_plan(pipe, {**options, "memory": "low"}, entry)
            plan.mode = "auto"
            frames = self.render(pipe, rows[0], image, generators[0].manual_seed(rows[0].seed),
                                 plan, entry)
        data = encode_mp4(to_uint8(frames), options["fps"])
        memory_record = {**entry.plan.record(), **plan.record()}
        return [Output(data=data, ext="mp4", extra={"memory": memory_record,
                                                    "speed": record})]

    def memory_plan(self, pipe, options, entry):
        device = entry.plan.device
        free = None
        if device == "cuda":
            # what the GPU has free, within the device budget (the setting
            # caps it: a per-process memory fraction is invisible to CUDA's
            # free-memory query)
            free = memory.available_gpu_bytes(pipe)
            limit = setting_bytes(DEVICE_SETTING)
            if limit is not None:
                free = min(free, limit - (RESIDENCY.device_used() - entry.device_bytes))
        return memory.choose(
            options.get("memory") or "auto", device, self.fast_gib,
            decode_chunk_size=options.get("decode_chunk_size"),
            chunked_decode=self.chunked_decode, free_bytes=free,
        )

    def render(self, pipe, row, image, generator, plan, entry):
        """The video's frames: (n, h, w, 3) floats in [0, 1]."""
        if plan.device == "cuda":
            self.ensure_placement(entry, placement.MODEL_OFFLOAD if plan.cpu_offload
                                  else self.forced_placement({"memory": plan.mode}))
            plan.cpu_offload = entry.plan.placement != placement.FULL
        memory.apply(pipe, plan)
        kwargs = self.video_kwargs(row.job, plan, pipe)
        if image is not None:
            kwargs["image"] = image
        return pipe(generator=generator, output_type="np", **kwargs).frames[0]

    def video_kwargs(self, job, plan, pipe=None):
        kwargs = dict(self.call_args)
        for name, value in job.options.items():
            target = self.call_fields.get(name, name)
            if value is None or target is None or name in NOT_PIPELINE_ARGS:
                continue
            kwargs[target] = value
        if self.chunked_decode:
            kwargs["decode_chunk_size"] = plan.decode_chunk_size
        if self.takes_prompt:
            kwargs["prompt"] = job.prompt or ""
        vae_config = getattr(getattr(pipe, "vae", None), "config", None)
        if self.timestep_decode and getattr(vae_config, "timestep_conditioning", False):
            kwargs.update(self.timestep_decode)
        return kwargs
