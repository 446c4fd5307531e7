"""A generation run as plain functions: what ``execute`` hands off to. Knows
nothing of the App: a dataset, a request, a task's inputs and writer in; a
:class:`run.Run` to iterate and a result dict out."""

import logging

from . import metrics
from .plan import plan, shard, without_existing
from .pricing import usd
from .run import Failure, Run

logger = logging.getLogger(__name__)


def start(dataset, request, inputs, writer, secrets, *, shard_of=None, should_stop=None):
    """The :class:`Run` of ``request`` over ``inputs`` (a ``plan.TaskInputs``),
    skipping outputs already in ``dataset`` (a resumed run) and keeping only
    shard ``shard_of = (index, count)`` when given. A budget is shared
    equally by the shards (each runs on its own worker). With
    ``request.score``, the writer scores each batch of outputs as it
    writes them."""
    items = plan(request.choices, inputs.prompts, inputs.sources, seed=request.seed,
                 timeout_s=request.timeout_s, expansions=request.expansions)
    if shard_of is not None:
        items = shard(items, *shard_of)
    items, skipped = without_existing(items, existing_item_keys(dataset))
    items, refused = refuse_sources(items)
    max_cost = request.max_cost
    if max_cost is not None and shard_of is not None:
        max_cost = max_cost / shard_of[1]
    if request.score:
        writer.scoring = metrics.session(request.score)
    run = Run(items, secrets, writer, should_stop=should_stop, skipped=skipped,
              max_cost=max_cost)
    run.failed.extend(inputs.unusable)
    run.failed.extend(refused)
    return run


def refuse_sources(items):
    """Items whose source image their backend's provider would refuse (its
    declared size limits) become failures here, before anything is sent.
    Returns (items to run, failures)."""
    kept, refused, problems = [], [], {}
    for item in items:
        backend = item.choice.backend
        if item.source is not None:
            key = (backend.min_source_side, backend.max_source_pixels, item.source.filepath)
            if key not in problems:
                problems[key] = backend.source_problem(item.source.filepath)
            if problems[key]:
                refused.append(Failure.of(item, problems[key]))
                continue
        kept.append(item)
    return kept, refused


def result(dataset, run, task):
    """What a run returns, to the SDK and in a delegated run's result.
    ``sample_ids`` lists the task's own outputs (images, videos, meshes);
    the other slices of an output's group are reachable from them;
    ``cost_usd`` what the run's hosted outputs cost. The run's failures are
    kept beside the dataset here, for the leaderboard (:mod:`core.failures`)."""
    for failure in run.failed:
        logger.warning("multigen %s failed: %s", task, failure)
    from . import failures

    failures.record(dataset, run)  # for the leaderboard
    return {
        "dataset": dataset.name,
        "sample_ids": list(run.writer.sample_ids),
        "failed": [f.to_dict() for f in run.failed],
        "skipped": run.skipped,
        "cancelled": run.cancelled,
        "cost_usd": round(run.spent_usd, 10),
        "score_failed": list(_score_failed(run)),
    }


def outcome(run, noun, shown=3):
    """One sentence for the person who ran it: what was made, what failed
    (each named by its model and prompt or file), and how many more failed."""
    made = len(run.writer.sample_ids)
    plural = noun + ("es" if noun.endswith("sh") else "s")
    text = f"Generated {made} {noun if made == 1 else plural}"
    if run.skipped:
        text += f" ({run.skipped} already made by an earlier run)"
    if run.failed:
        text += f"; {len(run.failed)} failed: " + "; ".join(
            f"{f.what}: {f.error}" for f in run.failed[:shown])
        if len(run.failed) > shown:
            text += (f"; and {len(run.failed) - shown} more (the run's result lists "
                     "every failure)")
    if run.spent_usd:
        text += f"; it cost {usd(run.spent_usd)} (README: Cost)"
    if _score_failed(run):
        text += (f"; {len(_score_failed(run))} score(s) could not be computed: "
                 + "; ".join(f"{f['metric']}: {f['error']}"
                             for f in _score_failed(run)[:shown]))
    if run.cancelled:
        text += "; the run was cancelled"
    return text, "warning" if run.failed or _score_failed(run) else "success"


def _score_failed(run):
    return getattr(run.writer, "score_failed", [])


def existing_item_keys(dataset):
    """The output keys already in ``dataset``, so a re-run skips them."""
    import fiftyone.core.media as fom

    if not dataset.has_field("generation"):
        return set()
    if not dataset.has_field("generation.item_key"):
        # a worker killed between adding samples and declaring their fields
        dataset.add_dynamic_sample_fields()
        if not dataset.has_field("generation.item_key"):
            return set()
    # _allow_mixed: the slices hold images beside videos or 3D scenes
    view = (dataset.select_group_slices(_allow_mixed=True)
            if dataset.media_type == fom.GROUP else dataset)
    return set(view.distinct("generation.item_key"))
