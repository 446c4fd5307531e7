"""The last settings of each operator's form, remembered per dataset.

A person who presses Escape, or runs and comes back, finds the form as they
left it: each change is kept in the dataset's execution store (FiftyOne's
``ctx.store``, one store per dataset, persisted in its database), and a
fresh form starts from it. Only form inputs are kept: never a key (keys are
not params), a shard's bookkeeping or a delegated run's internals.
"""

import logging

STORE = "multigen-form"
# params that belong to one execution, not to a person's settings
TRANSIENT = ("shard", "view_target", "delegate", "request_delegation")

logger = logging.getLogger(__name__)


def _store(ctx):
    try:
        return ctx.store(STORE) if getattr(ctx, "dataset", None) is not None else None
    except Exception as e:  # no store (an old FiftyOne, a test context): forget
        logger.debug("no execution store: %s", e)
        return None


def recall(ctx, key):
    """The settings last seen in form ``key`` on this dataset, or {}."""
    store = _store(ctx)
    try:
        value = store.get(key) if store is not None else None
    except Exception as e:
        logger.debug("could not read remembered settings: %s", e)
        value = None
    return value if isinstance(value, dict) else {}


def remember(ctx, key, params, internal=()):
    """Keeps ``params`` (a form's current values) for the next fresh form."""
    store = _store(ctx)
    if store is None:
        return
    kept = {k: v for k, v in params.items()
            if k not in TRANSIENT and k not in internal and not k.startswith("_")}
    try:
        if store.get(key) != kept:
            store.set(key, kept)
    except Exception as e:  # a form must open even when the store cannot be written
        logger.debug("could not remember settings: %s", e)
