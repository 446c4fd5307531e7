"""Failures kept beside a dataset, so a leaderboard can count them per
model and backend (a failure makes no sample).

They live in FiftyOne's execution store, scoped to the dataset, one key per
failure: shards of one run write at the same time from several workers, and
separate keys never overwrite each other (one list in ``dataset.info``
would lose whatever a concurrent shard saved in between). A failure's key is
its run and item, so recording the same run twice changes nothing.
"""

import hashlib
import json
import logging
from datetime import datetime, timezone

from .budget import NOT_RUN
from .run import NOT_STARTED

logger = logging.getLogger(__name__)

STORE = "multigen_failures"
FAILED, NOT_RUN_KIND = "failed", "not_run"


def kind_of(error):
    """``not_run`` for items the run never started (cancelled, budget
    reached): no fault of the model; else ``failed``."""
    return NOT_RUN_KIND if error == NOT_STARTED or str(error).startswith(NOT_RUN) else FAILED


def _store(dataset):
    from fiftyone.operators.store import ExecutionStore

    return ExecutionStore.create(STORE, dataset_id=dataset._doc.id)


def record(dataset, run):
    """Saves ``run.failed`` beside ``dataset``. Never fails the run: a
    failure that cannot be saved is logged."""
    if not run.failed:
        return
    try:
        store = _store(dataset)
        now = datetime.now(timezone.utc).isoformat()
        for index, failure in enumerate(run.failed):
            value = {**failure.to_dict(), "run_id": run.run_id,
                     "kind": kind_of(failure.error), "created_at": now}
            digest = hashlib.sha1(json.dumps(
                [failure.to_dict(), index], sort_keys=True, default=str).encode()).hexdigest()
            store.set(f"{run.run_id}:{digest[:16]}", value)
    except Exception as e:  # noqa: BLE001 - the run's samples are what matter
        logger.warning("could not save the run's failures for the leaderboard: %s", e)


def load(dataset):
    """Every failure saved beside ``dataset``: dicts with ``model``,
    ``backend``, ``error``, ``kind``, ``run_id``, ``prompt``..."""
    store = _store(dataset)
    return [v for v in (store.get(key) for key in store.list_keys()) if v]
