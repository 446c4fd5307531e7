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


def source_slice(view, active_slice=None):
    """The one group slice whose images are a grouped view's sources: the
    active slice when it holds images, else the ``image`` slice (a 3D or
    video group's source image); never a preview or a second slice."""
    media = view.group_media_types or {}
    for name in (active_slice or view.group_slice, IMAGE_SLICE):
        if name and media.get(name) == "image":
            return name
    return None


NO_SOURCES = ("there are no image samples to use: select image samples, or choose "
              "a view that has some")


def source_view(view, active_slice=None):
    """The samples of ``view`` that are sources: in a grouped view, those of
    :func:`source_slice` (None when no slice holds images)."""
    import fiftyone.core.media as fom

    if view.media_type != fom.GROUP:
        return view
    name = source_slice(view, active_slice)
    return view.select_group_slices(name) if name else None


def count_sources(view, active_slice=None):
    """How many samples a run would use as sources (for the form)."""
    sources = source_view(view, active_slice)
    return 0 if sources is None else len(sources)


def collect_sources(view, active_slice=None):
    """The image samples of ``view`` as :class:`Source`, and a
    :class:`Failure` for each sample that cannot be used. In a grouped
    view, the images of :func:`source_slice`."""
    import fiftyone.core.media as fom

    view = source_view(view, active_slice)
    if view is None:
        return [], []
    sources, problems = [], []
    for sample_id, filepath in zip(*view.values(["id", "filepath"])):
        problem = None
        if fom.get_media_type(filepath) != fom.IMAGE:
            problem = f"not an image: {os.path.basename(filepath)}"
        elif not os.path.isfile(filepath):
            problem = f"source file is missing: {filepath}"
        if problem:
            problems.append(Failure(problem, source_id=sample_id, source=filepath))
        else:
            sources.append(Source(sample_id, filepath))
    return sources, problems


def output_dataset(dataset, suffix, output_slice):
    """The grouped dataset that receives outputs made from ``dataset``: the
    dataset itself when it is empty, or grouped with an ``output_slice``
    already (outputs of the same task: a re-run adds to it), else
    ``<name>-<suffix>`` (created on first use, persistent like its source).
    Outputs never go into a dataset of other media."""
    import fiftyone as fo
    import fiftyone.core.media as fom

    if len(dataset) == 0 and dataset.media_type is None:
        target = dataset
    elif dataset.media_type == fom.GROUP and output_slice in (dataset.group_slices or []):
        return dataset
    else:
        target = dataset_beside(dataset, suffix)
    if target.media_type != fom.GROUP:
        try:
            target.add_group_field("group", default=output_slice)
        except ValueError:  # another shard made it grouped meanwhile
            target.reload()
            if target.media_type != fom.GROUP:
                raise
    return target


def dataset_beside(dataset, suffix):
    """``<name>-<suffix>``, loaded or created (persistent like ``dataset``).
    Shards of one run start together: when another creates it between the
    check and the creation, that one is loaded."""
    import fiftyone as fo
    from pymongo.errors import DuplicateKeyError

    name = f"{dataset.name}-{suffix}"
    if fo.dataset_exists(name):
        return fo.load_dataset(name)
    try:
        return fo.Dataset(name, persistent=dataset.persistent)
    except (DuplicateKeyError, ValueError):
        if not fo.dataset_exists(name):
            raise
        return fo.load_dataset(name)



SLICE_LABEL = "slice_name"  # each slice sample's label: its slice's name
# (not "slice": mongoengine reads `only("slice")` as its $slice projection
# operator, so every in-memory reload of such a sample fails)


class GroupWriter(SampleWriter):
    """One group per output: the output in slice ``output_slice`` and the
    pictures that belong with it in other slices. Subclasses implement
    :meth:`slices_for`, returning ``{slice name: fo.Sample}`` for one output;
    every slice carries the output's provenance, which links it to its
    source sample."""

    output_slice = ""
    grouped = True

    def __init__(self, dataset, output_dir=None, source_dataset=None, embed_provenance=True):
        super().__init__(dataset, output_dir, embed_provenance)
        self.source_dataset = source_dataset

    def samples_for(self, item, output):
        import fiftyone as fo

        group = fo.Group()
        samples = []
        for name, sample in self.slices_for(item, output).items():
            sample["group"] = group.element(name)
            # a label the App draws on every thumbnail (the grid's and the
            # group's), so the image, the preview and the output read as such
            sample[SLICE_LABEL] = fo.Classification(label=name)
            samples.append(sample)
        return samples

    def is_output(self, sample):
        return sample.group.name == self.output_slice

    def slices_for(self, item, output):
        raise NotImplementedError

    def annotate(self, item, record):
        if item.source is not None:
            record.update(source_id=item.source.sample_id, source_path=item.source.filepath,
                          source_dataset=self.source_dataset)

    def source_sample(self, item):
        """The ``image`` slice showing the source image (the file is shared,
        not copied)."""
        import fiftyone as fo

        return fo.Sample(filepath=item.source.filepath, tags=["source"],
                         source_id=item.source.sample_id,
                         metadata=fo.ImageMetadata.build_for(item.source.filepath))
