"""Videos from text: one plain video sample per output (no source image to
group it with), in a dataset that holds videos.

A FiftyOne dataset holds one media type: videos go into the dataset itself
when it is empty or holds videos, else into ``<name>-text-videos``.
"""

from ..core.groups import dataset_beside
from ..core.samples import SampleWriter
from ..video.samples import video_sample

OUTPUT_SUFFIX = "text-videos"


class TextVideoWriter(SampleWriter):
    """One video sample per output."""

    def samples_for(self, item, output):
        return [video_sample(self, item, output, stem=item.prompt or "video")]


def output_dataset(dataset):
    """The dataset receiving videos made from prompts run on ``dataset``."""
    import fiftyone.core.media as fom

    if dataset.media_type in (None, fom.VIDEO) and (
            len(dataset) == 0 or dataset.media_type == fom.VIDEO):
        return dataset
    return dataset_beside(dataset, OUTPUT_SUFFIX)
