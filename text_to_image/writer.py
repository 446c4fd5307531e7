"""Images into the dataset itself: one image sample per output, and the saved
view that shows several models' images for the same prompt side by side."""

from ..core.samples import GENERATED_TAG, SampleWriter

COMPARE_VIEW = "multigen-compare"


class ImageWriter(SampleWriter):
    """One image sample per output."""

    def samples_for(self, item, output):
        return [self.image_sample(item, output, stem=item.prompt or "image")]


def save_compare_view(dataset):
    """Saves a view grouping outputs of several models for the same prompt,
    seed and index, so the App shows them side by side."""
    view = dataset.match_tags(GENERATED_TAG).group_by(
        "generation.compare_key", order_by="generation.model"
    )
    if not dataset.has_saved_view(COMPARE_VIEW):
        dataset.save_view(
            COMPARE_VIEW, view,
            description="Generated samples grouped by prompt, seed and index: "
            "one group per prompt, one element per model",
        )
    return view
