"""Inpainting masks from a sample's labels, as plain functions.

A mask is a boolean ``(height, width)`` array the size of the image: True
where the model may paint. It comes from

- a ``Segmentation`` field: the pixels of the chosen classes (names through
  the dataset's mask targets, or integer values; no classes: every labelled,
  non-zero pixel), from the in-database ``mask`` or the file at ``mask_path``;
- a ``Detections`` field: the boxes of the chosen labels (no labels: every
  box), each grown by ``margin`` (a fraction of the box's width and height on
  each side) and clipped to the image; a detection with an instance mask
  contributes that mask's pixels instead of its whole box (grown by the same
  margin, in pixels). A box covers every pixel it touches: columns
  ``floor(x * W)`` to ``ceil((x + w) * W)`` (exclusive);
- a string field holding the path of a mask image: its non-zero pixels.

``invert`` edits the rest of the image instead (the background). Every
problem is a :class:`MaskError` whose message says what is wrong with that
sample, so a run lists it and goes on with the others.
"""

import math
import os
from dataclasses import dataclass
from typing import Tuple

import numpy as np


class MaskError(ValueError):
    """Why one sample has no usable mask."""


def from_segmentation(segmentation, size, classes=(), mask_targets=None, field="mask"):
    """The pixels of ``classes`` in ``segmentation`` (a ``fo.Segmentation``)
    for an image of ``size`` = (width, height)."""
    try:
        values = segmentation.get_mask()
    except Exception as e:  # a missing or unreadable mask file
        raise MaskError(f"the segmentation in {field!r} cannot be read: {e}") from None
    if values is None:
        raise MaskError(f"the segmentation in {field!r} has no mask")
    values = np.asarray(values)
    _check_size(values, size, f"the segmentation in {field!r}")
    if values.ndim == 3:  # an RGB mask: classes are colours
        values = _rgb_to_int(values[..., :3])
        mask_targets = {_hex_to_int(k): v for k, v in (mask_targets or {}).items()
                        if isinstance(k, str) and k.startswith("#")}
    if not classes:
        return values != 0
    wanted = [_class_value(c, mask_targets, field) for c in classes]
    return np.isin(values, wanted)


def from_detections(detections, size, classes=(), margin=0.0):
    """The boxes (or instance masks) of the ``classes`` detections of
    ``detections`` (a ``fo.Detections``) for an image of ``size``."""
    width, height = size
    mask = np.zeros((height, width), dtype=bool)
    for det in detections.detections or []:
        if classes and det.label not in classes:
            continue
        x, y, w, h = det.bounding_box
        if det.mask is not None or getattr(det, "mask_path", None):
            _paint_instance(mask, det, (x, y, w, h), margin)
            continue
        x0, y0 = x - margin * w, y - margin * h
        x1, y1 = x + w + margin * w, y + h + margin * h
        c0, c1 = _span(x0, x1, width)
        r0, r1 = _span(y0, y1, height)
        mask[r0:r1, c0:c1] = True
    return mask


def from_file(path, size, field="mask_path"):
    """The non-zero pixels of the mask image at ``path``."""
    from PIL import Image

    if not path:
        raise MaskError(f"{field!r} holds no mask path")
    if not os.path.isfile(path):
        raise MaskError(f"the mask file in {field!r} is missing: {path}")
    try:
        with Image.open(path) as image:
            values = np.asarray(image.convert("L"))
    except (OSError, ValueError) as e:
        raise MaskError(f"the mask file in {field!r} is not an image: {e}") from None
    _check_size(values, size, f"the mask file in {field!r}")
    return values != 0


def invert(mask):
    return ~mask


def checked(mask, field):
    """``mask`` when it has a pixel to paint and a pixel to keep."""
    if not mask.any():
        raise MaskError(f"the mask from {field!r} is empty: nothing to edit "
                        "(no pixel of the chosen classes)")
    if mask.all():
        raise MaskError(f"the mask from {field!r} covers the whole image: "
                        "nothing of the source would be kept")
    return mask


def to_image(mask):
    """The mask as an 8-bit PIL image: 255 where the model paints."""
    from PIL import Image

    return Image.fromarray(np.where(mask, 255, 0).astype(np.uint8), mode="L")


def _span(start, end, limit):
    """The pixel range [first, last) a relative interval touches, clipped."""
    first = max(0, math.floor(start * limit + 1e-9))
    last = min(limit, math.ceil(end * limit - 1e-9))
    return first, max(first, last)


def _paint_instance(mask, det, box, margin):
    from PIL import Image

    height, width = mask.shape
    x, y, w, h = box
    c0, c1 = _span(x, x + w, width)
    r0, r1 = _span(y, y + h, height)
    if c1 <= c0 or r1 <= r0:
        return
    try:
        instance = det.get_mask() if hasattr(det, "get_mask") else det.mask
    except Exception as e:
        raise MaskError(f"the instance mask of a {det.label!r} detection cannot be "
                        f"read: {e}") from None
    instance = np.asarray(instance).astype(bool).astype(np.uint8) * 255
    instance = np.asarray(Image.fromarray(instance).resize(
        (c1 - c0, r1 - r0), Image.Resampling.NEAREST)) != 0
    grown = int(round(margin * max(c1 - c0, r1 - r0)))
    if grown > 0:
        canvas = np.zeros_like(mask)
        canvas[r0:r1, c0:c1] = instance
        mask |= _dilate(canvas, grown)
    else:
        mask[r0:r1, c0:c1] |= instance


def _dilate(mask, pixels):
    """``mask`` grown by ``pixels`` in every direction (a square reach):
    along rows, then along columns (a square dilation separates)."""
    out = mask
    for axis in (1, 0):
        grown = out.copy()
        length = out.shape[axis]
        for step in range(1, min(pixels, length - 1) + 1):
            ahead = [slice(None)] * 2
            behind = [slice(None)] * 2
            ahead[axis], behind[axis] = slice(step, None), slice(None, -step)
            grown[tuple(ahead)] |= out[tuple(behind)]
            grown[tuple(behind)] |= out[tuple(ahead)]
        out = grown
    return out


def _check_size(values, size, what):
    width, height = size
    if values.shape[:2] != (height, width):
        raise MaskError(f"{what} is {values.shape[1]}x{values.shape[0]} but the image "
                        f"is {width}x{height}")


def _class_value(name, mask_targets, field):
    """A class name (through the mask targets) or value as the mask's value."""
    for value, label in (mask_targets or {}).items():
        if label == name:
            if isinstance(value, str) and value.startswith("#"):
                return _hex_to_int(value)
            return int(value)
    if isinstance(name, int) or str(name).isdigit():
        return int(name)
    known = ", ".join(str(v) for v in (mask_targets or {}).values()) or "none"
    raise MaskError(f"class {name!r} is not in the mask targets of {field!r} "
                    f"(known: {known})")


def _rgb_to_int(values):
    values = values.astype(np.int64)
    return (values[..., 0] << 16) | (values[..., 1] << 8) | values[..., 2]


def _hex_to_int(text):
    return int(text.lstrip("#"), 16)


@dataclass(frozen=True)
class MaskSpec:
    """Where a sample's mask comes from: a field, its classes (labels), how
    far boxes grow, and whether to edit the rest of the image instead."""

    field: str
    classes: Tuple[str, ...] = ()
    margin: float = 0.0
    invert: bool = False


def for_sample(sample, spec, size, mask_targets=None):
    """The checked mask of ``sample`` (an image of ``size``) per ``spec``."""
    import fiftyone as fo

    value = sample[spec.field] if sample.has_field(spec.field) else None
    if value is None:
        raise MaskError(f"the sample has no {spec.field!r} to take a mask from")
    if isinstance(value, fo.Segmentation):
        mask = from_segmentation(value, size, spec.classes, mask_targets, spec.field)
    elif isinstance(value, fo.Detections):
        mask = from_detections(value, size, spec.classes, spec.margin)
    elif isinstance(value, str):
        mask = from_file(value, size, spec.field)
    else:
        raise MaskError(f"{spec.field!r} holds a {type(value).__name__}; a mask comes "
                        "from a Segmentation, Detections or a mask file path")
    if spec.invert:
        mask = invert(mask)
    return checked(mask, spec.field)
