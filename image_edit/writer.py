"""Edits into datasets: a grouped dataset beside the source (default), or new
samples in the source dataset itself (augmentation).

- :class:`EditWriter`: one group per edit, the source image in slice
  ``image`` and the edit in slice ``edit``, as videos and 3D outputs are.
- :class:`AugmentWriter`: each edit a new sample of the source dataset,
  tagged ``augmented`` and linked to its source (``source_id``).

Either way, an edit that kept the source's size gets the source's labels
(:mod:`.labels`; recorded in ``generation.labels_copied``), and an inpainted
edit carries its mask as a ``Segmentation`` in ``edit_mask`` so the App shows
what was repainted.
"""

import os
import threading

from ..core.groups import IMAGE_SLICE, GroupWriter
from ..core.media import image_info
from ..core.samples import SampleWriter
from .labels import copy_labels
from .modes import INPAINT, split_classes
from .sources import image_size

EDIT_SLICE = "edit"
AUGMENTED_TAG = "augmented"
MASK_FIELD = "edit_mask"


class EditSamples:
    """What both writers share: the edit's image sample, its mask and the
    source's labels."""

    drop_replaced = False

    def _init_sources(self, source_dataset):
        self._source_name = source_dataset
        self._sources = None
        self._lock = threading.Lock()

    def source_dataset_object(self):
        import fiftyone as fo

        with self._lock:
            if self._sources is None:
                self._sources = fo.load_dataset(self._source_name)
            return self._sources

    def edit_sample(self, item, output, tags=()):
        import fiftyone as fo

        stem = os.path.splitext(os.path.basename(item.source.filepath))[0]
        sample = self.image_sample(item, output, stem=stem, tags=tags)
        sample["source_id"] = item.source.sample_id
        if item.source.mask_path:
            sample[MASK_FIELD] = fo.Segmentation(mask_path=item.source.mask_path)
            output.extra["mask_path"] = item.source.mask_path
        output.extra["labels_copied"] = self.copy_source_labels(item, output, sample)
        return sample

    def copy_source_labels(self, item, output, sample):
        """The source's labels onto ``sample`` when the edit kept its size;
        returns the fields copied ([] when the size changed)."""
        width, height = image_info(output.data)[:2]
        if image_size(item.source.filepath) != (width, height):
            return []
        dataset = self.source_dataset_object()
        source = dataset[item.source.sample_id]
        options = item.choice.options
        replaced = None
        if self.drop_replaced and options.get("mode") == INPAINT \
                and not options.get("invert_mask"):
            replaced = (options.get("mask_field"), split_classes(options.get("mask_classes")),
                        dataset.mask_targets.get(options.get("mask_field"))
                        or dataset.default_mask_targets)
        return copy_labels(source, sample, replaced)

    def annotate(self, item, record):
        record.update(source_id=item.source.sample_id, source_path=item.source.filepath,
                      source_dataset=self._source_name)


class EditWriter(EditSamples, GroupWriter):
    """One (image, edit) group per edit; ``sample_ids`` lists the edits."""

    output_slice = EDIT_SLICE

    def __init__(self, dataset, output_dir=None, source_dataset=None, embed_provenance=True,
                 drop_replaced=False):
        super().__init__(dataset, output_dir, source_dataset, embed_provenance)
        self._init_sources(source_dataset)
        self.drop_replaced = drop_replaced

    def slices_for(self, item, output):
        return {IMAGE_SLICE: self.source_sample(item),
                EDIT_SLICE: self.edit_sample(item, output)}


class AugmentWriter(EditSamples, SampleWriter):
    """Each edit a new sample of the source dataset, tagged ``augmented``."""

    def __init__(self, dataset, output_dir=None, embed_provenance=True, drop_replaced=False):
        super().__init__(dataset, output_dir, embed_provenance)
        self._init_sources(dataset.name)
        self.drop_replaced = drop_replaced

    def samples_for(self, item, output):
        return [self.edit_sample(item, output, tags=(AUGMENTED_TAG,))]
