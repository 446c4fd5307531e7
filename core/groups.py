"""Source samples in, grouped samples out: what image-to-video and the 3D
tasks share.

A FiftyOne dataset holds one media type unless it is grouped, so outputs that
are not images (videos, 3D scenes) are written into a grouped dataset, one
group per output: the output in its own slice (``video``, ``mesh``) beside
the picture it came from or looks like (``image``: the source image, or the
intermediate image of a text -> image -> 3D chain; ``preview``: a render).
The App shows the slices of a group side by side. Each output links to its
source sample by id and path.
"""

import os

from . import media
from .jobs import Source
from .samples import GENERATED_TAG, SampleWriter

IMAGE_SLICE = "image"


def collect_sources(view):
    """The image samples of ``view`` as :class:`Source`, and a problem entry
    (for the run's ``failed`` list) for each sample that cannot be used."""
    import fiftyone.core.media as fom

    if view.media_type == fom.GROUP:
        view = view.select_group_slices(media_type=fom.IMAGE)
    sources, problems = [], []
    for sample_id, filepath in zip(*view.values(["id", "filepath"])):
        problem = None
        if fom.get_media_type(filepath) != fom.IMAGE:
            problem = f"not an image: {os.path.basename(filepath)}"
        elif not os.path.isfile(filepath):
            problem = f"source file is missing: {filepath}"
        if problem:
            problems.append({"source_id": sample_id, "model": None, "error": problem})
        else:
            sources.append(Source(sample_id, filepath))
    return sources, problems


def output_dataset(dataset, suffix, default_slice):
    """The grouped dataset that receives outputs made from ``dataset``:
    ``dataset`` itself when it is grouped or empty, else ``<name>-<suffix>``
    (created on first use, persistent like its source)."""
    import fiftyone as fo
    import fiftyone.core.media as fom

    if dataset.media_type == fom.GROUP:
        return dataset
    if len(dataset) == 0 and dataset.media_type is None:
        target = dataset
    else:
        name = f"{dataset.name}-{suffix}"
        if fo.dataset_exists(name):
            target = fo.load_dataset(name)
        else:
            target = fo.Dataset(name, persistent=dataset.persistent)
    if target.media_type != fom.GROUP:
        target.add_group_field("group", default=default_slice)
    return target


class GroupWriter(SampleWriter):
    """One group per output. Subclasses implement :meth:`slices_for`,
    returning ``{slice name: fo.Sample}`` for one output."""

    def __init__(self, dataset, output_dir=None, source_dataset=None):
        super().__init__(dataset, output_dir)
        self.source_dataset = source_dataset

    def samples_for(self, item, output, doc):
        import fiftyone as fo

        if item.source is not None:
            doc.source_id = item.source.sample_id
            doc.source_path = item.source.filepath
            doc.source_dataset = self.source_dataset
        group = fo.Group()
        samples = []
        for slice_name, sample in self.slices_for(item, output, doc).items():
            sample["group"] = group.element(slice_name)
            samples.append(sample)
        return samples

    def slices_for(self, item, output, doc):
        raise NotImplementedError

    def source_sample(self, item, doc):
        """The ``image`` slice showing the source image (the file is shared,
        not copied)."""
        import fiftyone as fo

        return fo.Sample(filepath=item.source.filepath, tags=["source"],
                         source_id=item.source.sample_id, generation=doc.copy())

    def generated_sample(self, item, output, doc, *, stem=None, tags=()):
        """A sample for ``output``'s file, written atomically."""
        import fiftyone as fo

        path = media.write_atomic(self.folder_for(item.choice.model),
                                  stem or item.prompt or "output", output.ext, output.data)
        return fo.Sample(filepath=path,
                         tags=[GENERATED_TAG, item.choice.model.id, *tags],
                         generation=doc)
