"""Image-to-video models hosted on Replicate.

The shared :class:`Replicate` backend runs the prediction, sends the source
image (``image_field``) and downloads the MP4; this class says whether the
model reads a prompt.
"""

from dataclasses import dataclass

from ..core.backends.replicate_api import Replicate


@dataclass
class ReplicateVideo(Replicate):
    """A Replicate image-to-video model.

    Attributes:
        takes_prompt: the model reads a prompt (SVD does not)
        needs_prompt: the model refuses to run without one (checked in the
            form, before anything runs)
    """

    image_field: str = "image"
    takes_prompt: bool = True
    needs_prompt: bool = False
    output_ext: str = "mp4"

    def provider_input(self, job, batch_field=None):
        body = super().provider_input(job, batch_field)
        if not self.takes_prompt:
            body.pop(self.fields.get("prompt", "prompt"), None)
        return body
