"""Carrying a source sample's labels over to its edit.

An edit that keeps the geometry (same size: every local edit, and hosted
edits that answer at the source's size) keeps where things are, so the
source's labels still fit: they are copied as they are (relative boxes,
polylines, keypoints; masks of the same size). Labels of the classes an
inpainting replaced may be dropped instead (``drop_replaced``).
"""

import numpy as np


def label_fields(sample):
    """Names of the sample's label fields (Detections, Segmentation...)."""
    import fiftyone as fo

    return [name for name in sample.field_names
            if isinstance(sample[name], fo.Label)]


def copy_labels(source, target, replaced=None):
    """Copies every label field of ``source`` to ``target``; ``replaced``:
    ``(field, classes)`` whose labels the edit replaced and that are left
    out (detections of those labels; those pixels of a segmentation).
    Returns the names of the fields copied."""
    import fiftyone as fo

    copied = []
    for name in label_fields(source):
        value = source[name].copy()
        if replaced and name == replaced[0]:
            if isinstance(value, fo.Detections):
                value.detections = [d for d in value.detections
                                    if replaced[1] and d.label not in replaced[1]]
            elif isinstance(value, fo.Segmentation):
                value = _without_classes(value, replaced[1], replaced[2])
        target[name] = value
        copied.append(name)
    return copied


def _without_classes(segmentation, classes, mask_targets):
    """The segmentation with the pixels of ``classes`` (all when empty) set
    to 0 (background), held in the database (its file is the source's)."""
    import fiftyone as fo

    from .masks import from_segmentation

    values = np.array(segmentation.get_mask())
    height, width = values.shape[:2]
    gone = from_segmentation(segmentation, (width, height), classes, mask_targets)
    values[gone] = 0
    return fo.Segmentation(mask=values)
