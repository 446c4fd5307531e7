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

from .plan import Source
from .run import Failure
from .samples import SampleWriter

IMAGE_SLICE = "image"


def collect_sources(view):
    """The image samples of ``view`` as :class:`Source`, and a
    :class:`Failure` for each sample that cannot be used."""
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
            problems.append(Failure(problem, source_id=sample_id))
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
    """One group per output: the output in slice ``output_slice`` and the
    pictures that belong with it in other slices. Subclasses implement
    :meth:`slices_for`, returning ``{slice name: fo.Sample}`` for one output;
    every slice carries the output's provenance, which links it to its
    source sample."""

    output_slice = ""

    def __init__(self, dataset, output_dir=None, source_dataset=None):
        super().__init__(dataset, output_dir)
        self.source_dataset = source_dataset

    def samples_for(self, item, output):
        import fiftyone as fo

        group = fo.Group()
        samples = []
        for name, sample in self.slices_for(item, output).items():
            sample["group"] = group.element(name)
            samples.append(sample)
        return samples

    def is_output(self, sample):
        return sample.group.name == self.output_slice

    def slices_for(self, item, output):
        raise NotImplementedError

    def annotate(self, item, doc):
        if item.source is not None:
            doc.source_id = item.source.sample_id
            doc.source_path = item.source.filepath
            doc.source_dataset = self.source_dataset

    def source_sample(self, item):
        """The ``image`` slice showing the source image (the file is shared,
        not copied)."""
        import fiftyone as fo

        return fo.Sample(filepath=item.source.filepath, tags=["source"],
                         source_id=item.source.sample_id,
                         metadata=fo.ImageMetadata.build_for(item.source.filepath))
