"""Writing generated outputs into a dataset as samples with provenance.

Two steps per output. :meth:`SampleWriter.prepare` runs in the worker that
produced it: it makes the output's provenance record, checks the output,
writes its files (atomically, carrying the record: see
:mod:`core.file_provenance`) and builds its samples.
:meth:`SampleWriter.add`, on the thread that collects results, attaches the
provenance and buffers the samples, which are added in batches. A sample is
only created for a file that exists and decodes. A run that scores as it
generates (the ``score`` option) scores each batch of outputs right after
adding it, so a sample's scores land minutes, not a run, after it.
"""

import logging
import os

from . import file_provenance, media, paths, provenance

logger = logging.getLogger(__name__)

GENERATED_TAG = "generated"
COMPARE_VIEW = "multigen-compare"


class SampleWriter:
    """Base of the per-task writers.

    Subclasses implement :meth:`samples_for`, returning the samples of one
    output (a task may add more than the output itself: a mesh's preview, a
    video's source image; :meth:`is_output` tells them apart).
    ``sample_ids`` lists the ids of the task's own outputs only.
    """

    batch_size = 256  # and at least every couple of seconds (run.Run)

    def __init__(self, dataset, output_dir=None, embed_provenance=True):
        self.dataset = dataset
        self.embed_provenance = embed_provenance
        self.output_dir = output_dir or media.default_output_dir(dataset.name)
        paths.ensure_writable(self.output_dir)  # before anything is paid for
        self.sample_ids = []
        self._buffer = []  # (sample, whether it is an output of the task)
        self._schema_declared = False
        self.scoring = None  # a scoring session (core.metrics.session), or None
        self.score_failed = []  # what it could not score

    def prepare(self, item, offset, output, *, latency_s=0.0, run_id=None):
        """In the worker: the provenance record of output ``offset`` of
        ``item``, then its files (which carry it) and samples."""
        output.record = provenance.record(item, offset, output, latency_s=latency_s,
                                          run_id=run_id)
        self.annotate(item, output.record)
        for companion in output.companions.values():
            companion.record = output.record
        return output, self.samples_for(item, output)

    def samples_for(self, item, output):
        raise NotImplementedError

    def add(self, item, prepared):
        for output, samples in prepared:
            doc = provenance.document(output)
            for sample in samples:
                own = self.is_output(sample)
                sample["generation"] = doc if own else doc.copy()
                self._buffer.append((sample, own))
        if len(self._buffer) >= self.batch_size:
            self.flush()

    def is_output(self, sample):
        """Whether ``sample`` is the task's output (not a picture beside it)."""
        return True

    def annotate(self, item, record):
        """Adds task fields to an output's provenance record (a dict)."""

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
        outputs = [i for i, (_, own) in zip(ids, self._buffer) if own]
        self.sample_ids.extend(outputs)
        self._buffer = []
        if not self._schema_declared:
            # declare generation.* so the App can filter on it and re-runs
            # can look up item keys
            self.dataset.add_dynamic_sample_fields()
            self._schema_declared = True
        if self.scoring is not None and outputs:
            self._score(outputs)

    def _score(self, sample_ids):
        """Scores new outputs; a score that fails is listed, never fails
        the run (the sample stays)."""
        try:
            failed = [f.to_dict() for f in self.scoring.score_ids(self.dataset, sample_ids)]
        except Exception as e:  # noqa: BLE001 - e.g. the database went away
            logger.warning("scoring failed: %s", e)
            failed = [{"error": f"{type(e).__name__}: {e}", "metric": None,
                       "sample_id": i, "filepath": None} for i in sample_ids]
        self.score_failed.extend(failed)

    def folder_for(self, model):
        return os.path.join(self.output_dir, model.id)

    def write_file(self, item, output, stem=None):
        """``output``'s file, written atomically under the model's folder,
        carrying its provenance unless the run turned that off."""
        return media.write_atomic(self.folder_for(item.choice.model),
                                  stem or item.prompt or "output", output.ext,
                                  self.file_bytes(output))

    def file_bytes(self, output):
        """The bytes to write: ``output.data`` with its provenance inside
        (where the format has room for it). A file that cannot take it is
        written as it came, with a warning: provenance never fails a run."""
        if not self.embed_provenance or output.record is None:
            return output.data
        try:
            return file_provenance.embed(output.data, output.ext, provenance.fields(output))
        except Exception as e:
            logger.warning("could not write provenance into a .%s file: %s", output.ext, e)
            return output.data

    def image_sample(self, item, output, stem=None, tags=()):
        """A sample for an image output, checked to decode first."""
        import fiftyone as fo

        width, height, channels, mime = media.image_info(output.data)
        path = self.write_file(item, output, stem)
        return fo.Sample(
            filepath=path,
            tags=[GENERATED_TAG, item.choice.model.id, *tags],
            metadata=fo.ImageMetadata(size_bytes=os.path.getsize(path), mime_type=mime,
                                      width=width, height=height,
                                      num_channels=channels))


def save_compare_view(dataset):
    """Saves a view grouping outputs of several models for the same prompt,
    seed and index, so the App shows them side by side (the text tasks call
    it after a run that compared models)."""
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
