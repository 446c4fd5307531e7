"""Videos into a grouped dataset, each beside the image it came from.

One group per video: the ``video`` slice holds the generated MP4 (with its
video metadata) and the ``image`` slice the source image, so the App shows
the pair side by side. Both carry the provenance, which links the video to
its source sample (``generation.source_id``, ``source_path``,
``source_dataset``).
"""

import os

from ..core.groups import GroupWriter
from .mp4 import video_metadata

VIDEO_SLICE = "video"


class VideoWriter(GroupWriter):
    """Writes one (image, video) group per output; ``sample_ids`` lists the
    video samples (each one's group holds its source image)."""

    def flush(self):
        is_video = [sample.group.name == VIDEO_SLICE for sample in self._buffer]
        before = len(self.sample_ids)
        super().flush()
        added = self.sample_ids[before:]
        self.sample_ids[before:] = [i for i, video in zip(added, is_video) if video]

    def slices_for(self, item, output, doc):
        import fiftyone as fo

        stem = os.path.splitext(os.path.basename(item.source.filepath))[0]
        video = self.generated_sample(item, output, doc, stem=stem)
        try:
            video.metadata = video_metadata(video.filepath)
        except ValueError as e:
            # no sample for a file that does not play
            os.remove(video.filepath)
            raise ValueError(f"the model returned a video that does not play: {e}") from None
        source = self.source_sample(item, doc)
        source.metadata = fo.ImageMetadata.build_for(item.source.filepath)
        return {"image": source, VIDEO_SLICE: video}
