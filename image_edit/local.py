"""Image edits run locally with diffusers.

One model loads once and serves every mode it offers: the first mode's
pipeline is loaded (``from_pretrained``, through the shared :class:`Diffusers`
backend), the others are made from it with ``from_pipe``, which shares the
loaded weights (diffusers' AutoPipelineForImage2Image / ForInpainting, or
FLUX.1 Kontext's inpainting pipeline).

Each source is edited at a working size (its own, scaled down to at most
``max_pixels`` and rounded to what the model takes), and the edit is scaled
back to the source's size, so the geometry is kept and the source's labels
still fit. In inpainting, the pixels outside the mask are the source's own,
exactly.
"""

import math
from dataclasses import dataclass, field
from typing import Dict

from ..core.backends.base import GenerationError, Output
from ..core.backends.diffusers_local import Diffusers
from ..text_to_image.local import SAFETY_MESSAGE, encode_png
from .modes import INPAINT, MODE, EditOptions


@dataclass
class DiffusersEdit(EditOptions, Diffusers):
    """A diffusers edit model.

    Attributes:
        pipelines: mode -> pipeline class name; the first is loaded, the
            others made from it with ``from_pipe``
        max_pixels: the largest working size (the model's native area)
        multiple_of: working sizes are multiples of this (8; 16 for FLUX)
    """

    pipelines: Dict[str, str] = field(default_factory=dict)
    max_pixels: int = 1024 * 1024
    multiple_of: int = 8
    max_batch: int = 4

    def __post_init__(self):
        if self.pipelines:
            self.pipeline = next(iter(self.pipelines.values()))

    def pipeline_for(self, pipe, mode):
        """The pipeline of ``mode``, sharing ``pipe``'s weights."""
        wanted = self.pipelines.get(mode)
        if wanted is None:
            raise GenerationError(f"{self.repo} offers no {mode} here")
        derived = pipe.__dict__.setdefault("_multigen_modes", {})
        if wanted == self.pipeline:
            return pipe
        if wanted not in derived:
            import diffusers

            made = getattr(diffusers, wanted).from_pipe(pipe)
            if hasattr(made, "set_progress_bar_config"):
                made.set_progress_bar_config(disable=True)
            derived[wanted] = made
        return derived[wanted]

    def working_size(self, width, height):
        scale = min(1.0, math.sqrt(self.max_pixels / float(width * height)))
        step = self.multiple_of
        return (max(step, int(round(width * scale / step)) * step),
                max(step, int(round(height * scale / step)) * step))

    def call(self, pipe, rows, generators, entry):
        options = rows[0].job.options
        mode = options.get(MODE.name)
        edit = self.pipeline_for(pipe, mode)
        record = self.apply_speed(edit, entry, options)
        # rows share one call when their working sizes match
        outputs = [None] * len(rows)
        by_size = {}
        loaded = [load_inputs(row.job) for row in rows]
        for i, (source, _mask) in enumerate(loaded):
            by_size.setdefault(self.working_size(*source.size), []).append(i)
        for size, indices in by_size.items():
            kwargs = self.sent(self.pipeline_kwargs(rows[indices[0]].job))
            kwargs.pop("negative_prompt", None)
            negatives = [rows[i].job.options.get("negative_prompt") for i in indices]
            if any(negatives):
                kwargs["negative_prompt"] = [n or "" for n in negatives]
            kwargs["image"] = [loaded[i][0].resize(size) for i in indices]
            if mode == INPAINT:
                kwargs["mask_image"] = [loaded[i][1].resize(size) for i in indices]
            if takes(edit, "width"):  # img2img takes the size from the image
                kwargs["width"], kwargs["height"] = size
            result = edit(prompt=[rows[i].job.prompt or "" for i in indices],
                          generator=[generators[i] for i in indices], **kwargs)
            flagged = getattr(result, "nsfw_content_detected", None) or [False] * len(indices)
            for i, image, bad in zip(indices, result.images, flagged):
                if bad:
                    outputs[i] = GenerationError(SAFETY_MESSAGE)
                    continue
                source, mask = loaded[i]
                image = fit_back(image, source, mask)
                outputs[i] = Output(data=encode_png(image), ext="png", extra={
                    "speed": record, "working_size": list(size)})
        return outputs


def takes(pipe, name):
    """Whether ``pipe``'s call names ``name`` (img2img ones swallow unknown
    keywords silently)."""
    import inspect

    return name in inspect.signature(type(pipe).__call__).parameters


def load_inputs(job):
    """The source image (RGB, upright) and its mask (L, or None)."""
    from PIL import Image, ImageOps

    with Image.open(job.source_path) as image:
        source = ImageOps.exif_transpose(image).convert("RGB")
    mask = None
    if job.mask_path:
        with Image.open(job.mask_path) as image:
            mask = image.convert("L")
        if mask.size != source.size:
            raise GenerationError(f"the mask is {mask.size[0]}x{mask.size[1]} but the "
                                  f"image is {source.size[0]}x{source.size[1]}")
    return source, mask


def fit_back(image, source, mask=None):
    """The edit at the source's size; with a mask, the source's own pixels
    outside it."""
    from PIL import Image

    image = image.convert("RGB")
    if image.size != source.size:
        image = image.resize(source.size, Image.Resampling.LANCZOS)
    if mask is not None:
        image = Image.composite(image, source, mask.point(lambda v: 255 if v else 0))
    return image
