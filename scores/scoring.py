"""Scoring samples as plain functions: what the ``score`` operator and
score-as-you-generate hand off to. Knows nothing of the App.

Each metric writes a float ``scores.<metric>`` on each sample it scores and,
beside it, ``scoring.<metric>``: the version that made it (the metric's
formula and the weights' repo@revision, see ``Metric.version``), the hub
commits actually loaded, how many pictures were scored and the lowest of
them (a video's frames, a 3D preview's turntable: ``scores.<metric>`` is
their mean), and when. A sample whose recorded version equals the metric's
is skipped, so a re-run (or a resumed one) scores only what is missing.

A sample that cannot be scored (a missing file, no prompt for a metric that
reads one) is listed as a failure; the rest go on.
"""

import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from ..core.metrics import get as get_metric
from .pictures import VIDEO_FRAMES, pictures_of

logger = logging.getLogger(__name__)

SCORES, SCORING = "scores", "scoring"
BATCH_SIZE = 32  # pictures per forward
# scores reach the dataset in bulk writes of this many samples, and at
# least every couple of seconds (as generated samples do)
WRITE_EVERY, WRITE_EVERY_S = 256, 2.0
# threads decoding and resizing the next batches while the model runs: the
# CPU side of scoring (PIL, the processors) is most of its cost without a GPU
READERS = max(1, min(4, os.cpu_count() or 1))
# samples that only show another output (a mesh's preview, a video's or a
# mesh's source image, a chain's intermediate image): scored through it
COMPANION_TAGS = ("source", "preview", "intermediate")
PROMPT_FIELD = "generation.prompt"


@dataclass
class ScoreFailure:
    """A sample one metric could not score, and why."""

    error: str
    metric: str
    sample_id: str
    filepath: str

    def to_dict(self):
        return asdict(self)

    @property
    def what(self):
        return f"{self.metric} on {os.path.basename(self.filepath)}"


@dataclass
class ScoreProgress:
    done: int
    total: int
    failed: int

    @property
    def fraction(self):
        return min(1.0, (self.done + self.failed) / self.total) if self.total else 1.0

    @property
    def label(self):
        text = f"{self.done}/{self.total} scored"
        return text + (f", {self.failed} failed" if self.failed else "")


def samples_of(view):
    """The samples of ``view`` that get scores: every slice of a grouped
    view, less the pictures that only accompany another output."""
    import fiftyone.core.media as fom

    if view.media_type == fom.GROUP:
        view = view.select_group_slices(_allow_mixed=True)
    if view.has_field("tags"):
        view = view.match_tags(COMPANION_TAGS, bool=False)
    return view


def _values(view, field):
    """A field's values, None for each sample that has none. Only the
    top-level field need be declared: in a grouped dataset, attributes of
    the slices that are not the default one may be undeclared."""
    if view.has_field(field.split(".")[0]):
        try:
            return view.values(field)
        except ValueError:
            pass
    return [None] * len(view)


def targets_of(view, metrics, prompt_field=None, ids=None):
    """What to score: one dict per sample (id, filepath, media type,
    prompt, preview paths, and the version each metric last recorded)."""
    import fiftyone.core.media as fom

    view = samples_of(view)
    if ids is not None:
        view = view.select(list(ids))
    columns = {"id": view.values("id"), "filepath": view.values("filepath"),
               "prompt": _values(view, prompt_field or PROMPT_FIELD),
               "thumbnail_path": _values(view, "thumbnail_path"),
               "preview_path": _values(view, "generation.preview_path")}
    for metric in metrics:
        columns[metric.id] = _values(view, f"{SCORING}.{metric.id}.version")
    targets = [dict(zip(columns, row)) for row in zip(*columns.values())]
    for target in targets:
        target["media_type"] = fom.get_media_type(target["filepath"])
        target["done"] = {m.id for m in metrics if target.pop(m.id) == m.version}
    return targets


def shard(targets, index, count):
    """Shard ``index`` of ``count``, by sample id: shards never overlap."""
    ordered = sorted(targets, key=lambda t: t["id"])
    return ordered[index::count]


class Session:
    """Scores samples with some metrics; each model loads once, on first
    use, and stays loaded for later calls (score-as-you-generate calls it
    after each batch of samples is written).

    Args:
        metric_ids: ids of registered metrics
        prompt_field (None): the field holding each sample's prompt
            (default ``generation.prompt``)
        frames (8): pictures scored per video or 3D preview
        batch_size (32): pictures per forward pass
        device (None): ``cuda``, ``mps`` or ``cpu``; default: the GPU when
            there is one (``MULTIGEN_DEVICE`` overrides)
        rescore (False): score again samples already scored with the same
            metric version
    """

    def __init__(self, metric_ids, *, prompt_field=None, frames=VIDEO_FRAMES,
                 batch_size=BATCH_SIZE, device=None, rescore=False):
        self.metrics = [get_metric(m) for m in metric_ids]
        self.prompt_field = prompt_field or None
        self.frames = max(1, int(frames))
        self.batch_size = max(1, int(batch_size))
        self.device = device
        self.rescore = rescore
        self._scorers = {}
        self._broken = {}  # metric id -> why its model does not load (tried once)
        self._declared = set()
        self._recorded = set()  # (dataset, metric) whose scoring.* shape is declared
        self._unwritten = {m.id: {} for m in self.metrics}
        self.failed = []

    # the models ------------------------------------------------------------------

    def scorer(self, metric):
        """The metric's loaded scorer; raises ``RuntimeError`` (every time,
        after one try) when its model does not load."""
        if metric.id in self._broken:
            raise RuntimeError(self._broken[metric.id])
        if metric.id not in self._scorers:
            from . import scorers

            if self.device is None:
                from ..core.backends.diffusers_local import pick_device

                self.device = pick_device()
            try:
                self._scorers[metric.id] = scorers.Scorer(metric, self.device)
            except Exception as e:  # noqa: BLE001 - reported on each sample
                self._broken[metric.id] = (f"{metric.label} could not load its model: "
                                           f"{_reason(e)}")
                raise RuntimeError(self._broken[metric.id]) from None
        return self._scorers[metric.id]

    # a run ---------------------------------------------------------------------

    def plan(self, view, ids=None, shard_of=None):
        """(targets to score, {metric id: samples already scored})."""
        targets = targets_of(view, self.metrics, self.prompt_field, ids)
        if shard_of is not None:
            targets = shard(targets, *shard_of)
        skipped = {m.id: 0 for m in self.metrics}
        todo = []
        for target in targets:
            target["todo"] = [m for m in self.metrics
                              if self.rescore or m.id not in target["done"]]
            for metric in self.metrics:
                if metric not in target["todo"]:
                    skipped[metric.id] += 1
            if target["todo"]:
                todo.append(target)
        return todo, skipped

    def run(self, view, ids=None, shard_of=None, should_stop=None):
        """Scores ``view``'s samples (only ``ids`` when given); yields a
        :class:`ScoreProgress` after each batch. ``result`` holds the
        outcome afterwards; ``should_stop()`` returning True stops between
        batches."""
        targets, skipped = self.plan(view, ids, shard_of)
        self.result = {"dataset": view._root_dataset.name,
                       "scored": {m.id: 0 for m in self.metrics}, "skipped": skipped,
                       "failed": [], "cancelled": False}
        total, done, failed_before = len(targets), 0, len(self.failed)
        if not targets:
            yield ScoreProgress(0, 0, 0)
            return
        dataset = view._root_dataset
        batches = list(_batches(targets, self.batch_size, self.frames))
        written = time.perf_counter()
        # the next batches' files decode (and are resized for the models
        # already loaded) while this one is scored
        with ThreadPoolExecutor(READERS, thread_name_prefix="multigen-score-read") as reader:
            try:
                pending = [reader.submit(self._read, b) for b in batches[:READERS]]
                for number in range(len(batches)):
                    batch, pixels = pending.pop(0).result()
                    if number + READERS < len(batches):
                        pending.append(reader.submit(self._read, batches[number + READERS]))
                    for metric_id, count in self._score_batch(batch, pixels).items():
                        self.result["scored"][metric_id] += count
                    if (sum(map(len, self._unwritten.values())) >= WRITE_EVERY
                            or time.perf_counter() - written >= WRITE_EVERY_S):
                        self._write(dataset)
                        written = time.perf_counter()
                    done += len(batch)
                    failures = {f.sample_id for f in self.failed[failed_before:]}
                    yield ScoreProgress(done - len(failures), total, len(failures))
                    if should_stop is not None and should_stop():
                        self.result["cancelled"] = True
                        break
            finally:  # what was scored is kept, whatever stopped the run
                reader.shutdown(wait=False, cancel_futures=True)
                self._write(dataset)
        self.result["failed"] = [f.to_dict() for f in self.failed[failed_before:]]

    def score_ids(self, dataset, ids):
        """Scores the samples ``ids`` of ``dataset`` (new outputs of a
        generation run); returns the failures."""
        before = len(self.failed)
        for _ in self.run(dataset, ids=ids):
            pass
        return self.failed[before:]

    # inside a run ------------------------------------------------------------------

    def _read(self, batch):
        """Each target with its pictures (or the reason it has none), and
        their pixels for each CLIP already loaded: {clip id: (pixels of
        every picture, {sample id: its rows})}."""
        read = []
        for target in batch:
            try:
                read.append((target, pictures_of(target, self.frames), None))
            except Exception as e:  # noqa: BLE001 - listed, the rest go on
                read.append((target, None, _reason(e)))
        pixels = {}
        clips = {id(s.clip): s.clip for s in list(self._scorers.values())}
        readable = [(t, ps) for t, ps, error in read if error is None]
        for key, clip in clips.items():
            try:
                values = clip.pixels([p for _, ps in readable for p in ps])
            except Exception:  # noqa: BLE001 - the scoring thread retries and reports
                continue
            rows, start = {}, 0
            for target, ps in readable:
                rows[target["id"]] = range(start, start + len(ps))
                start += len(ps)
            pixels[key] = (values, rows)
        return read, pixels

    def _score_batch(self, batch, pixels):
        values = {m.id: {} for m in self.metrics}
        for target, pictures, error in batch:
            if error is not None:
                for metric in target["todo"]:
                    self._fail(metric, target, error)
        by_metric = {}
        for metric in self.metrics:
            usable = []
            for target, pictures, error in batch:
                if error is not None or metric not in target["todo"]:
                    continue
                if metric.uses_prompt and not target["prompt"]:
                    self._fail(metric, target, f"{metric.label} needs a prompt and this "
                               "sample has none (choose a prompt field)")
                    continue
                usable.append((target, pictures))
            if usable:
                by_metric[metric] = usable
        loaded = {}
        for metric in list(by_metric):
            try:
                loaded[metric] = self.scorer(metric)
            except Exception as e:  # noqa: BLE001 - a model that cannot load
                for target, _ in by_metric.pop(metric):
                    self._fail(metric, target, _reason(e))
        # metrics on the same CLIP (CLIPScore, aesthetic) embed each picture once
        shared = {}
        for metric, usable in by_metric.items():
            group = shared.setdefault(id(loaded[metric].clip), (loaded[metric], {}))
            group[1].update((t["id"], ps) for t, ps in usable)
        embeds, unembedded = {}, {}
        for key, (scorer, pictures_by_id) in shared.items():
            try:
                embeds.update(_embed_all(scorer, pictures_by_id, pixels, self.batch_size))
            except Exception as e:  # noqa: BLE001 - e.g. out of GPU memory: listed
                unembedded[key] = _reason(e)
        for metric, usable in by_metric.items():
            scorer = loaded[metric]
            if id(scorer.clip) in unembedded:
                for target, _ in usable:
                    self._fail(metric, target, unembedded[id(scorer.clip)])
                continue
            try:
                scores = scorer.score(None, [t["prompt"] for t, ps in usable for _ in ps],
                                      _stack([embeds[id(scorer.clip), t["id"]]
                                              for t, _ in usable]))
            except Exception as e:  # noqa: BLE001 - listed, the rest go on
                for target, _ in usable:
                    self._fail(metric, target, _reason(e))
                continue
            start = 0
            for target, ps in usable:
                own = scores[start:start + len(ps)]
                start += len(ps)
                values[metric.id][target["id"]] = (sum(own) / len(own), min(own), len(own))
        for metric_id, scored in values.items():
            self._unwritten[metric_id].update(scored)
        return {metric_id: len(scored) for metric_id, scored in values.items()}

    def _write(self, dataset):
        """``scores.<metric>`` and ``scoring.<metric>`` of the samples scored
        since the last write, one bulk write per field."""
        import fiftyone as fo

        collection = samples_of(dataset)
        now = datetime.now(timezone.utc)
        for metric in self.metrics:
            scored, self._unwritten[metric.id] = self._unwritten[metric.id], {}
            if not scored:
                continue
            self._declare(dataset, metric)
            scorer = self._scorers[metric.id]
            commits = [f"{repo}@{commit}" for repo, commit in scorer.commits.items()
                       if commit]
            collection.set_values(f"{SCORES}.{metric.id}",
                                  {i: mean for i, (mean, _, _) in scored.items()},
                                  key_field="id")
            collection.set_values(
                f"{SCORING}.{metric.id}",
                {i: fo.DynamicEmbeddedDocument(
                    version=metric.version, commits=commits, pictures=count, min=low,
                    device=str(scorer.clip.device), scored_at=now)
                 for i, (_, low, count) in scored.items()},
                key_field="id", dynamic=True,
                # the record's shape is declared by the first write
                expand_schema=(dataset.name, metric.id) not in self._recorded)
            self._recorded.add((dataset.name, metric.id))

    def _declare(self, dataset, metric):
        """``scores`` and ``scoring`` as embedded documents, so the App's
        sidebar filters on ``scores.<metric>``."""
        import fiftyone as fo

        if (dataset.name, metric.id) in self._declared:
            return
        for name in (SCORES, SCORING):
            if not dataset.has_field(name):
                dataset.add_sample_field(name, fo.EmbeddedDocumentField,
                                         embedded_doc_type=fo.DynamicEmbeddedDocument)
        if not dataset.has_field(f"{SCORES}.{metric.id}"):
            dataset.add_sample_field(f"{SCORES}.{metric.id}", fo.FloatField,
                                     description=metric.measures)
        self._declared.add((dataset.name, metric.id))

    def _fail(self, metric, target, error):
        self.failed.append(ScoreFailure(error, metric.id, target["id"], target["filepath"]))


def _batches(targets, batch_size, frames):
    """Targets in groups of about ``batch_size`` pictures (a video counts
    its frames), so memory stays bounded whatever the media."""
    batch, pictures = [], 0
    for target in targets:
        weight = 1 if target["media_type"] == "image" else frames
        if batch and pictures + weight > batch_size:
            yield batch
            batch, pictures = [], 0
        batch.append(target)
        pictures += weight
    if batch:
        yield batch


def _embed_all(scorer, pictures_by_id, pixels, batch_size):
    """{(clip id, sample id): image embeddings of the sample's pictures},
    embedded ``batch_size`` pictures per forward pass, from the pixels the
    reader made when it had them."""
    import torch

    clip = scorer.clip
    flat = [(sample_id, p) for sample_id, ps in pictures_by_id.items() for p in ps]
    values, rows = pixels.get(id(clip), (None, {}))
    if all(sample_id in rows for sample_id in pictures_by_id):
        wanted = [i for sample_id in pictures_by_id for i in rows[sample_id]]
        if wanted != list(range(len(values))):  # some need no metric of this CLIP
            values = values[torch.tensor(wanted, dtype=torch.long)]
        embed = lambda lo, hi: clip.embed_pixels(values[lo:hi])  # noqa: E731
    else:  # the first batch: the model loaded after the reader ran
        embed = lambda lo, hi: clip.images([p for _, p in flat[lo:hi]])  # noqa: E731

    rows = torch.cat([embed(lo, min(len(flat), lo + batch_size))
                      for lo in range(0, len(flat), batch_size)])
    out, start = {}, 0
    for sample_id, ps in pictures_by_id.items():  # views into one tensor
        out[id(clip), sample_id] = rows[start:start + len(ps)]
        start += len(ps)
    return out


def _stack(tensors):
    import torch

    return tensors[0] if len(tensors) == 1 else torch.cat(tensors)


def _reason(error):
    if isinstance(error, RuntimeError) and "could not load its model" in str(error):
        return str(error)
    if isinstance(error, FileNotFoundError):
        return f"file is missing: {error.filename}"
    if isinstance(error, (ValueError, OSError)):
        return str(error)
    return f"{type(error).__name__}: {error}"


def score_samples(view, metric_ids, *, shard_of=None, should_stop=None, **options):
    """Scores the samples of ``view`` (a dataset or view) with ``metric_ids``
    and returns ``{"dataset", "scored": {metric: n}, "skipped": {metric: n},
    "failed": [ScoreFailure dicts], "cancelled"}``. ``options``: those of
    :class:`Session`."""
    session = Session(metric_ids, **options)
    for _ in session.run(view, shard_of=shard_of, should_stop=should_stop):
        pass
    return session.result


def outcome(result, shown=3):
    """One sentence for the person who ran it."""
    scored = ", ".join(f"{n} with {get_metric(m).label}" for m, n in result["scored"].items())
    text = f"Scored {scored}"
    skipped = sum(result["skipped"].values())
    if skipped:
        text += f" ({skipped} scores already there were kept)"
    failed = result["failed"]
    if failed:
        text += f"; {len(failed)} failed: " + "; ".join(
            f"{f['metric']} on {os.path.basename(f['filepath'])}: {f['error']}"
            for f in failed[:shown])
        if len(failed) > shown:
            text += f"; and {len(failed) - shown} more (the run's result lists every one)"
    if result.get("cancelled"):
        text += "; the run was cancelled"
    return text, "warning" if failed else "success"
