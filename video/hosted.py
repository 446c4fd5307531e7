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


# The day the video prices below were read (docs/providers-research.md
# section 11, "Replicate video models").
PRICES_CHECKED = "2026-11-29"


def video_price(page, rates, by=("resolution",), seconds="duration", **kw):
    """What Replicate bills for one of its official video models, as read on
    its model ``page``: ``rates`` by the values of the options ``by``, per
    second of output video (``seconds``: the option holding the length) or,
    with ``seconds=None``, per video (:class:`core.pricing.ByOptions`)."""
    from ..core.pricing import ByOptions

    return ByOptions(by=tuple(by), rates=dict(rates), seconds=seconds,
                     checked=PRICES_CHECKED, source=page, **kw)
