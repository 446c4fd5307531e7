"""Text-to-image pipelines run locally with diffusers.

The shared :class:`Diffusers` backend loads, places and keeps the pipeline
and packs outputs into batches; this class makes one batch of images from
its rows' prompts (several prompts in one call, each output with its own
generator) and encodes them as PNG.
"""

import io
from dataclasses import dataclass

from ..core.backends.base import GenerationError, Output
from ..core.backends.diffusers_local import Diffusers

SAFETY_MESSAGE = (
    "the model's safety checker flagged this image and replaced it with a black one; "
    "try another prompt or seed")


@dataclass
class DiffusersImage(Diffusers):
    """A diffusers text-to-image pipeline; standard option names are the
    pipeline's own argument names."""

    def call(self, pipe, rows, generators, entry):
        kwargs = self.pipeline_kwargs(rows[0].job)
        kwargs.pop("negative_prompt", None)
        negatives = [row.job.options.get("negative_prompt") for row in rows]
        if any(negatives):
            kwargs["negative_prompt"] = [n or "" for n in negatives]
        record = self.apply_speed(pipe, entry, rows[0].job.options)
        result = pipe(prompt=[row.job.prompt for row in rows], generator=generators,
                      **kwargs)
        # SD 1.5 and LCM blacken what their safety checker flags: say so
        flagged = getattr(result, "nsfw_content_detected", None) or [False] * len(rows)
        return [GenerationError(SAFETY_MESSAGE) if bad else
                Output(data=encode_png(image), ext="png", extra={"speed": record})
                for image, bad in zip(result.images, flagged)]


def encode_png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
