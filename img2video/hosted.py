"""Image-to-video models hosted on Replicate.

The shared :class:`Replicate` backend runs the prediction, sends the source
image (``image_field``) and downloads the MP4; whether a model reads or needs
a prompt is declared per model (``takes_prompt``, ``needs_prompt``).
"""

from dataclasses import dataclass

from ..core.backends.replicate_api import Replicate


@dataclass
class ReplicateVideo(Replicate):
    """A Replicate image-to-video model: an MP4 from the ``image`` input."""

    image_field: str = "image"
    output_ext: str = "mp4"
