"""Image-to-video pipelines run locally with diffusers.

The shared :class:`Diffusers` backend loads, caches and places the pipeline
and runs one output per call; this class turns the source image and options
into the pipeline call, picks a memory plan, and encodes the frames as an
H.264 MP4.
"""

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from ..core.backends.base import Output
from ..core.backends.diffusers_local import Diffusers, pick_device
from . import memory
from .mp4 import encode_mp4, to_uint8
from .sizing import load_source

# options that shape the call but are no pipeline arguments
NOT_PIPELINE_ARGS = ("sizing", "memory")


@dataclass
class DiffusersVideo(Diffusers):
    """A diffusers image-to-video pipeline.

    Attributes:
        call_fields: standard option name -> the pipeline's argument name;
            None keeps an option out of the call (``fps`` when the pipeline
            does not take it: it then only sets the MP4's frame rate)
        chunked_decode: the pipeline takes ``decode_chunk_size``
        fp32_components: parts that stay in float32 on GPUs (Wan's VAE and
            image encoder, as its model card loads them)
        fast_gib: free GPU memory (GiB) below which ``memory=auto`` picks the
            low-memory plan; a rough need at the model's default size
    """

    call_fields: Dict[str, Optional[str]] = field(default_factory=dict)
    chunked_decode: bool = False
    fp32_components: Tuple[str, ...] = ()
    fast_gib: float = 24.0
    max_batch: int = 1  # one video per call: frames already fill the GPU

    def load(self, device, dtype, token):
        import torch

        torch_dtype = dtype
        if self.fp32_components and dtype != torch.float32:
            torch_dtype = {"default": dtype,
                           **{name: torch.float32 for name in self.fp32_components}}
        pipe = self.from_pretrained(self.pipeline, self.repo, torch_dtype, token)
        pipe.set_progress_bar_config(disable=True)
        return self.place(pipe, device)

    def call(self, pipe, job, size, generators):
        import torch

        options = job.options
        image = load_source(job.source_path, options["width"], options["height"],
                            options.get("sizing") or "crop")
        plan = self.memory_plan(pipe, options, pick_device())
        try:
            frames = self.render(pipe, job, image, generators[0], plan)
        except torch.cuda.OutOfMemoryError:
            if plan.mode != "auto" or plan.low:
                raise
            # the free memory was not enough after all: once more, frugally
            torch.cuda.empty_cache()
            plan = self.memory_plan(pipe, {**options, "memory": "low"}, plan.device)
            plan.mode = "auto"
            frames = self.render(pipe, job, image, generators[0], plan)
        data = encode_mp4(to_uint8(frames), options["fps"])
        return [Output(data=data, ext="mp4", extra={"memory": plan.record()})]

    def memory_plan(self, pipe, options, device):
        return memory.choose(
            options.get("memory") or "auto", device, self.fast_gib,
            decode_chunk_size=options.get("decode_chunk_size"),
            chunked_decode=self.chunked_decode,
            free_bytes=memory.available_gpu_bytes(pipe) if device == "cuda" else None,
        )

    def render(self, pipe, job, image, generator, plan):
        """The video's frames: (n, h, w, 3) floats in [0, 1]."""
        memory.apply(pipe, plan)
        kwargs = self.video_kwargs(job, plan)
        return pipe(image=image, generator=generator, output_type="np", **kwargs).frames[0]

    def video_kwargs(self, job, plan):
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
        return kwargs
