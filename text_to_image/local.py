"""Text-to-image pipelines run locally with diffusers.

The shared :class:`Diffusers` backend loads, caches and places the pipeline
and runs seeded batches; this class makes one batch of images from a prompt
and encodes them as PNG.
"""

import io
from dataclasses import dataclass

from ..core.backends.base import Output
from ..core.backends.diffusers_local import Diffusers


@dataclass
class DiffusersImage(Diffusers):
    """A diffusers text-to-image pipeline; standard option names are the
    pipeline's own argument names."""

    def call(self, pipe, job, size, generators):
        kwargs = self.pipeline_kwargs(job)
        negative = kwargs.pop("negative_prompt", None)
        if negative is not None:
            kwargs["negative_prompt"] = [negative] * size
        images = pipe(prompt=[job.prompt] * size, generator=generators,
                      **kwargs).images
        return [Output(data=encode_png(image), ext="png") for image in images]


def encode_png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
