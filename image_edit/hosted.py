"""Image edits on hosted providers: OpenAI's image edits endpoint, Stability
AI's edit endpoints and instruction editors on Replicate.

Each sends the source image (and, for mask-based edits, the mask the
operator made from the sample's labels) in the form its provider documents
(docs/schemas: ``openai/images-edits``, ``stability/stable-image-edit-*``,
``replicate/*``). The edit options read by the operator (mode, mask
settings) never reach a provider: :func:`edit_fields` maps them to None.
"""

import io
from dataclasses import dataclass, field
from typing import ClassVar, Dict, Optional

from ..core.backends.base import GenerationError
from ..core.backends.openai_api import OpenAIImages
from ..core.backends.replicate_api import Replicate, source_input
from ..core.backends.stability_api import Stability
from .modes import EDIT_ONLY, MASK_CLASSES, STRENGTH, EditOptions, split_classes


def edit_fields(**mapping):
    """A hosted backend's ``fields``: the edit-only options dropped, plus
    ``mapping`` (standard name -> provider field, None to drop)."""
    return {**{name: None for name in (*EDIT_ONLY, STRENGTH.name)}, **mapping}


def mask_image(path, openai_alpha=False):
    """The mask PNG as bytes: greyscale, white where to paint (Stability);
    or RGBA, fully transparent where to edit (OpenAI's convention)."""
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        mask = image.convert("L")
    if openai_alpha:
        rgba = Image.new("RGBA", mask.size, (0, 0, 0, 255))
        rgba.putalpha(ImageOps.invert(mask))
        mask = rgba
    buffer = io.BytesIO()
    mask.save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class OpenAIEdit(EditOptions, OpenAIImages):
    """A GPT image model on ``POST /v1/images/edits``: multipart ``image``
    (the source) and, when inpainting, ``mask`` (transparent where to edit)."""

    fields: Dict[str, Optional[str]] = field(default_factory=edit_fields)
    snapshot: ClassVar[str] = "images-edits"
    takes_strength = False

    def request(self, client, job, body):
        with open(job.source_path, "rb") as image:
            files = {"image": image}
            if job.mask_path:
                files["mask"] = ("mask.png", mask_image(job.mask_path, openai_alpha=True),
                                 "image/png")
            return client.images.with_raw_response.edit(
                model=self.model_name, timeout=job.timeout_s, **files, **body)


@dataclass
class StabilityEdit(EditOptions, Stability):
    """A Stability AI edit endpoint (``stable-image/edit/...``).

    Attributes:
        sends_mask: the endpoint takes the ``mask`` file (inpaint, erase)
        search_field: the endpoint finds what to edit from text
            (``search_prompt``, ``select_prompt``): the mask classes are sent
            there, comma separated
    """

    fields: Dict[str, Optional[str]] = field(default_factory=edit_fields)
    sends_mask: bool = True
    search_field: Optional[str] = None
    takes_strength = False

    def check(self, options, secrets, check_ready=True):
        problems = super().check(options, secrets, check_ready)
        if self.search_field and not split_classes(options.get(MASK_CLASSES.name)):
            problems[MASK_CLASSES.name] = (f"{self.label} finds what to edit by name: "
                                           "choose the classes to edit")
        return problems

    def provider_input(self, job, batch_field=None):
        body = super().provider_input(job, batch_field)
        if self.search_field:
            body[self.search_field] = ", ".join(split_classes(job.options.get(
                MASK_CLASSES.name)))
        return body

    def files_for(self, job):
        files = super().files_for(job)
        if self.sends_mask:
            if not job.mask_path:
                raise GenerationError(f"{self.label} needs a mask")
            files["mask"] = ("mask.png", mask_image(job.mask_path), "image/png")
        return files


@dataclass
class ReplicateEdit(EditOptions, Replicate):
    """An instruction editor on Replicate: the source image goes to
    ``image_field``, or as a one-image list to ``images_field``."""

    fields: Dict[str, Optional[str]] = field(default_factory=edit_fields)
    images_field: Optional[str] = None
    takes_strength = False

    def provider_input(self, job, batch_field=None):
        body = super().provider_input(job, batch_field)
        if self.images_field and job.source_path:
            body[self.images_field] = [source_input(job.source_path)]
        return body
