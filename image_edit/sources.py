"""The sources of an edit run: each image sample, with its mask when the run
inpaints. A sample whose mask cannot be made (no such field, an empty mask,
a mask of another size...) is listed as failed; the rest go on.

Masks are written once per sample and mask settings, under a name made from
both (``<output dir>/masks/<sample id>-<settings hash>.png``), so shards and
resumed runs of the same request find the same file.
"""

import hashlib
import json
import os
import tempfile

from ..core.groups import collect_sources, source_view
from ..core.plan import Source
from ..core.run import Failure
from . import masks
from .modes import INPAINT, split_classes

MASKS_FOLDER = "masks"


def mask_spec(request):
    """The :class:`masks.MaskSpec` of a run that inpaints, else None (the
    mask options are run options: every inpainting model shares them)."""
    for choice in request.choices:
        options = choice.options
        if options.get("mode") == INPAINT and options.get("mask_field"):
            return masks.MaskSpec(options["mask_field"],
                                  split_classes(options.get("mask_classes")),
                                  float(options.get("mask_margin") or 0.0),
                                  bool(options.get("invert_mask")))
    return None


def field_problem(view, spec):
    """Why ``spec.field`` of ``view`` cannot give masks (a form error), or None."""
    import fiftyone as fo

    if spec is None:
        return None
    field = view.get_field(spec.field) if view.has_field(spec.field) else None
    if field is None:
        return f"the samples have no field {spec.field!r}"
    kind = getattr(field, "document_type", None)
    if isinstance(field, fo.StringField) or kind in (fo.Segmentation, fo.Detections):
        return None
    return (f"{spec.field!r} is not a Segmentation, Detections or mask-path field; "
            "choose one of those")


def mask_fields(sample_collection):
    """The fields a mask can come from: Segmentation, Detections and string
    (mask path) fields, for the form's choices."""
    import fiftyone as fo

    names = []
    for name, field in sample_collection.get_field_schema().items():
        kind = getattr(field, "document_type", None)
        if kind in (fo.Segmentation, fo.Detections) or (
                isinstance(field, fo.StringField) and name != "filepath"):
            names.append(name)
    return names


def collect(view, active_slice, request, masks_dir):
    """(sources, failures) of a run: :func:`core.groups.collect_sources`, each
    source with its mask file when the run inpaints."""
    sources, unusable = collect_sources(view, active_slice)
    spec = mask_spec(request)
    if spec is None or not sources:
        return sources, unusable
    view = source_view(view, active_slice)
    dataset = view._root_dataset
    targets = dataset.mask_targets.get(spec.field) or dataset.default_mask_targets
    by_id = {s.sample_id: s for s in sources}
    tag = settings_hash(spec)
    kept = []
    for sample in view.select(list(by_id)).select_fields(spec.field):
        source = by_id[sample.id]
        try:
            mask = masks.for_sample(sample, spec, image_size(source.filepath), targets)
        except masks.MaskError as e:
            unusable.append(Failure(str(e), source_id=source.sample_id,
                                    source=source.filepath))
            continue
        path = os.path.join(masks_dir, f"{source.sample_id}-{tag}.png")
        if not os.path.exists(path):
            write_png(masks.to_image(mask), path)
        kept.append(Source(source.sample_id, source.filepath, mask_path=path))
    order = {s.sample_id: i for i, s in enumerate(sources)}
    return sorted(kept, key=lambda s: order[s.sample_id]), unusable


def settings_hash(spec):
    return hashlib.sha1(json.dumps([spec.field, list(spec.classes), spec.margin,
                                    spec.invert]).encode()).hexdigest()[:10]


def image_size(path):
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        return ImageOps.exif_transpose(image).size


def write_png(image, path):
    """Atomically: a shard reading it never sees half a file."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".partial-", suffix=".png")
    try:
        with os.fdopen(fd, "wb") as f:
            image.save(f, format="PNG")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
