"""Writing generated outputs into a dataset as samples with provenance.

Two steps per output. :meth:`SampleWriter.prepare` runs in the worker that
produced it: it checks the output, writes its files (atomically) and builds
its samples. :meth:`SampleWriter.add`, on the thread that collects results,
attaches the provenance and buffers the samples, which are added in batches.
A sample is only created for a file that exists and decodes.
"""

import os

from . import media, paths, provenance

GENERATED_TAG = "generated"


class SampleWriter:
    """Base of the per-task writers.

    Subclasses implement :meth:`samples_for`, returning the samples of one
    output (a task may add more than the output itself: a mesh's preview, a
    video's source image; :meth:`is_output` tells them apart).
    ``sample_ids`` lists the ids of the task's own outputs only.
    """

    batch_size = 256  # and at least every couple of seconds (run.Run)

    def __init__(self, dataset, output_dir=None):
        self.dataset = dataset
        self.output_dir = output_dir or media.default_output_dir(dataset.name)
        paths.ensure_writable(self.output_dir)  # before anything is paid for
        self.sample_ids = []
        self._buffer = []  # (sample, whether it is an output of the task)
        self._schema_declared = False

    def prepare(self, item, output):
        """In the worker: files written, samples built (without provenance)."""
        return output, self.samples_for(item, output)

    def samples_for(self, item, output):
        raise NotImplementedError

    def add(self, item, prepared, latency_s, run_id):
        for offset, (output, samples) in enumerate(prepared):
            doc = provenance.record(item, offset, output, latency_s=latency_s,
                                    run_id=run_id)
            self.annotate(item, doc)
            for sample in samples:
                own = self.is_output(sample)
                sample["generation"] = doc if own else doc.copy()
                self._buffer.append((sample, own))
        if len(self._buffer) >= self.batch_size:
            self.flush()

    def is_output(self, sample):
        """Whether ``sample`` is the task's output (not a picture beside it)."""
        return True

    def annotate(self, item, doc):
        """Adds task fields to an output's provenance."""

    def flush(self):
        if not self._buffer:
            return
        samples = [sample for sample, _ in self._buffer]
        try:
            ids = self.dataset.add_samples(samples)
        except ValueError:
            # another worker (a shard) added the first samples of an empty
            # dataset meanwhile, setting its media type: reload and retry
            self.dataset.reload()
            ids = self.dataset.add_samples(samples)
        self.sample_ids.extend(i for i, (_, own) in zip(ids, self._buffer) if own)
        self._buffer = []
        if not self._schema_declared:
            # declare generation.* so the App can filter on it and re-runs
            # can look up item keys
            self.dataset.add_dynamic_sample_fields()
            self._schema_declared = True

    def folder_for(self, model):
        return os.path.join(self.output_dir, model.id)

    def write_file(self, item, output, stem=None):
        """``output``'s file, written atomically under the model's folder."""
        return media.write_atomic(self.folder_for(item.choice.model),
                                  stem or item.prompt or "output", output.ext, output.data)

    def image_sample(self, item, output, stem=None, tags=()):
        """A sample for an image output, checked to decode first."""
        import fiftyone as fo

        width, height, channels, mime = media.image_info(output.data)
        return fo.Sample(
            filepath=self.write_file(item, output, stem),
            tags=[GENERATED_TAG, item.choice.model.id, *tags],
            metadata=fo.ImageMetadata(size_bytes=len(output.data), mime_type=mime,
                                      width=width, height=height,
                                      num_channels=channels))
