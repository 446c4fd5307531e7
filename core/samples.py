"""Writing generated outputs into a dataset as samples with provenance.

Files are written (atomically) as outputs arrive; samples are added in
batches. A sample is only created for a file that exists and decodes.
"""

import os

from . import media, provenance

GENERATED_TAG = "generated"
COMPARE_VIEW = "multigen-compare"


class SampleWriter:
    """Base of the per-task writers: buffers samples and adds them in batches.

    Subclasses implement :meth:`samples_for`, returning the samples of one
    output (a task may add several: a mesh and its preview, say).
    """

    batch_size = 256  # and at least every couple of seconds (jobs.Run)

    def __init__(self, dataset, output_dir=None):
        self.dataset = dataset
        self.output_dir = output_dir or media.default_output_dir(dataset.name)
        self.sample_ids = []
        self._buffer = []
        self._schema_declared = False

    def add(self, item, outputs, latency_s, run_id):
        for offset, output in enumerate(outputs):
            index = item.first_index + offset
            doc = provenance.record(
                model=item.choice.model,
                backend=item.choice.backend,
                prompt=item.prompt,
                output=output,
                options=item.choice.options,
                base_seed=item.base_seed,
                run_seed=item.run_seed,
                index=index,
                latency_s=latency_s,
                run_id=run_id,
                source=item.source.sample_id if item.source else None,
            )
            self._buffer.extend(self.samples_for(item, output, doc))
        if len(self._buffer) >= self.batch_size:
            self.flush()

    def samples_for(self, item, output, doc):
        raise NotImplementedError

    def flush(self):
        if not self._buffer:
            return
        try:
            ids = self.dataset.add_samples(self._buffer)
        except ValueError:
            # another worker (a shard) added the first samples of an empty
            # dataset meanwhile, setting its media type: reload and retry
            self.dataset.reload()
            ids = self.dataset.add_samples(self._buffer)
        self.sample_ids.extend(ids)
        self._buffer = []
        if not self._schema_declared:
            # declare generation.* so the App can filter on it and re-runs
            # can look up item keys
            self.dataset.add_dynamic_sample_fields()
            self._schema_declared = True

    def folder_for(self, model):
        return os.path.join(self.output_dir, model.id)


class ImageWriter(SampleWriter):
    """One image sample per output (txt2img)."""

    def samples_for(self, item, output, doc):
        import fiftyone as fo

        width, height, channels, mime = media.image_info(output.data)
        path = media.write_atomic(self.folder_for(item.choice.model),
                                  item.prompt or "image", output.ext, output.data)
        sample = fo.Sample(
            filepath=path,
            tags=[GENERATED_TAG, item.choice.model.id],
            metadata=fo.ImageMetadata(
                size_bytes=len(output.data), mime_type=mime,
                width=width, height=height, num_channels=channels,
            ),
            generation=doc,
        )
        return [sample]


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
