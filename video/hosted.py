"""Video models hosted on Replicate (text to video and image to video).

The shared :class:`Replicate` backend runs the prediction, sends the source
image (``image_field``) when there is one, and downloads the MP4; whether a model reads or needs
a prompt is declared per model (``takes_prompt``, ``needs_prompt``).
"""

from dataclasses import dataclass

from ..core.backends.replicate_api import Replicate


@dataclass
class ReplicateVideo(Replicate):
    """A Replicate video model: an MP4, made from the ``image_field`` input
    when the run has a source image."""

    image_field: str = "image"
    output_ext: str = "mp4"
