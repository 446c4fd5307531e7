"""Delegated runs: the persistence check, queueing shards for several
workers, and noticing that someone cancelled a run.

Everything here talks to FiftyOne's delegated-operation service; nothing
here knows about models or files.
"""

import fiftyone.operators as foo

from .plan import random_seed

SHARD_PARAM = "shard"  # [index, count] of one queued shard


def require_persistent(sample_collection):
    # a worker process would not find it: FiftyOne deletes non-persistent
    # datasets that no process holds open
    if not sample_collection._root_dataset.persistent:
        raise ValueError("delegated runs need a persistent dataset: set "
                         "dataset.persistent = True first")


def shard_of(params):
    """(index, count) when these params run one queued shard, else None."""
    value = params.get(SHARD_PARAM)
    return tuple(value) if value is not None else None


def queue_shards(operator_uri, view, params, request, result_param):
    """Queues ``request.shards`` delegated operations, each generating one
    shard of the run, for several ``fiftyone delegated launch`` workers. One
    seed serves all shards so they form one run."""
    seed = request.seed if request.seed is not None else random_seed()
    queued = queue_operations(operator_uri, view, params, request.shards, result_param,
                              seed=seed)
    return {"dataset": view._root_dataset.name, "sample_ids": [], "failed": [],
            "queued": queued, "seed": seed}


def queue_operations(operator_uri, view, params, count, result_param, **shared):
    """Queues ``count`` delegated operations of ``operator_uri`` on ``view``,
    operation ``i`` with ``params``, ``shared`` and ``shard = [i, count]``;
    returns their ids. Whatever the operation, its shard is
    :func:`shard_of` its params."""
    queued = []
    for index in range(count):
        shard_params = {**params, **shared, SHARD_PARAM: [index, count],
                        result_param: True}
        shard_params.pop("view_target", None)
        # ``view.view()``: a view-target operator's target is the Dataset
        # itself when nothing narrows it, and execute_operator finds the
        # dataset only from a DatasetView
        result = foo.execute_operator(operator_uri,
                                      {"view": view.view(), "params": shard_params},
                                      request_delegation=True)
        queued.append(str(result.result["id"]))
    return queued


def cancel_check(ctx):
    """For a delegated run: a function telling whether someone marked it
    failed (``fiftyone delegated fail ID``), which cancels it cleanly."""
    op_id = getattr(ctx, "_delegated_operation_id", None)
    if not ctx.delegated or not op_id:
        return None
    from fiftyone.operators.delegated import DelegatedOperationService
    from fiftyone.operators.executor import ExecutionRunState

    service = DelegatedOperationService()

    def cancelled():
        doc = service.get(op_id)
        return doc is not None and doc.run_state == ExecutionRunState.FAILED

    return cancelled
