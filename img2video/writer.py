"""Videos into a grouped dataset, each beside the image it came from.

One group per video: the ``video`` slice holds the generated MP4 (with its
video metadata) and the ``image`` slice the source image, so the App shows
the pair side by side. Both carry the provenance, which links the video to
its source sample (``generation.source_id``, ``source_path``,
``source_dataset``).
"""

import os

from ..core.groups import IMAGE_SLICE, GroupWriter
from ..video.samples import video_sample

VIDEO_SLICE = "video"


class VideoWriter(GroupWriter):
    """Writes one (image, video) group per output; ``sample_ids`` lists the
    video samples (each one's group holds its source image)."""

    output_slice = VIDEO_SLICE

    def slices_for(self, item, output):
        stem = os.path.splitext(os.path.basename(item.source.filepath))[0]
        video = video_sample(self, item, output, stem)
        return {IMAGE_SLICE: self.source_sample(item), VIDEO_SLICE: video}
