"""Image-to-video models hosted on Replicate.

The shared :class:`Replicate` backend runs the prediction and downloads the
MP4; this class says which input takes the source image and whether the
model reads a prompt, and sends small images inline.
"""

import base64
import mimetypes
import os
import pathlib
from dataclasses import dataclass

from ..core.backends.replicate_api import Replicate

# Replicate recommends data URIs for files under 1 MB; bigger files go
# through its files API (the client uploads a ``pathlib.Path`` input)
INLINE_LIMIT = 1_000_000


@dataclass
class ReplicateVideo(Replicate):
    """A Replicate image-to-video model.

    Attributes:
        source_field: the input that takes the source image
        takes_prompt: the model reads a prompt (SVD does not)
        needs_prompt: the model refuses to run without one (checked in the
            form, before anything runs)
    """

    source_field: str = "image"
    takes_prompt: bool = True
    needs_prompt: bool = False
    output_ext: str = "mp4"

    def provider_input(self, job, batch_field=None):
        body = super().provider_input(job, batch_field)
        if not self.takes_prompt:
            body.pop(self.fields.get("prompt", "prompt"), None)
        if job.source_path:
            body[self.source_field] = source_input(job.source_path)
        return body


def source_input(path):
    """The source image as Replicate takes a file input: a data URI when
    small, else a path the client uploads."""
    if os.path.getsize(path) >= INLINE_LIMIT:
        return pathlib.Path(path)
    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
    with open(path, "rb") as f:
        return f"data:{mime};base64,{base64.b64encode(f.read()).decode()}"
