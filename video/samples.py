"""A video sample: the MP4 written (carrying its provenance) and checked to
play before any sample points at it."""

import os

from ..core.samples import GENERATED_TAG
from .mp4 import video_metadata


def video_sample(writer, item, output, stem):
    """The ``fo.Sample`` of a video output, written by ``writer`` (a
    :class:`core.samples.SampleWriter`) under ``stem``; a file that does not
    play is removed and reported instead."""
    import fiftyone as fo

    path = writer.write_file(item, output, stem)
    try:
        metadata = video_metadata(path)
    except ValueError as e:
        os.remove(path)
        raise ValueError(f"the model returned a video that does not play: {e}") from None
    return fo.Sample(filepath=path, tags=[GENERATED_TAG, item.choice.model.id],
                     metadata=metadata)
