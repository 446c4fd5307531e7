"""Images into the dataset itself: one image sample per output."""

from ..core.samples import SampleWriter


class ImageWriter(SampleWriter):
    """One image sample per output."""

    def samples_for(self, item, output):
        return [self.image_sample(item, output, stem=item.prompt or "image")]
