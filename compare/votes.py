"""The arena's votes, kept with the dataset.

Votes live in a FiftyOne execution store scoped to the dataset (the
``multigen_arena`` store, one key per vote), so they persist in FiftyOne's
database beside the dataset, every App session and notebook on that database
sees the same votes, and two people voting at once never overwrite each
other (each vote is its own key). Deleting the dataset deletes them.

A vote is a plain dict::

    {"id", "model_a", "model_b", "winner": "a" | "b" | "tie" | "both_bad",
     "sample_a", "sample_b", "compare_key", "prompt", "voter", "created_at"}

``a`` is the output shown on the left. ``voter`` is FiftyOne's user id when
the App knows one (FiftyOne Enterprise), else None.
"""

import threading
import uuid
from datetime import datetime, timezone

STORE = "multigen_arena"
PREFIX = "vote:"
OUTCOMES = ("a", "b", "tie", "both_bad")
# what a person picks in the arena, as the vote's winner
CHOICES = {"left": "a", "right": "b", "tie": "tie", "both_bad": "both_bad"}


def _dataset(samples):
    return samples._dataset if hasattr(samples, "_dataset") else samples


def store(samples):
    """The dataset's vote store (created on first use)."""
    from fiftyone.operators.store import ExecutionStore

    return ExecutionStore.create(STORE, _dataset(samples)._doc.id)


def cast(samples, pair, choice, voter=None):
    """Records a vote on ``pair`` (as :func:`compare.pairs.next_pair` gives
    it: the left and right outputs) and returns it. ``choice`` is ``left``,
    ``right``, ``tie`` or ``both_bad``."""
    if choice not in CHOICES:
        raise ValueError(f"a vote is one of {', '.join(CHOICES)}, not {choice!r}")
    left, right = pair["left"], pair["right"]
    if left["model"] == right["model"]:
        raise ValueError("a vote compares two different models")
    vote = dict(
        id=uuid.uuid4().hex,
        model_a=left["model"], model_b=right["model"], winner=CHOICES[choice],
        sample_a=left["id"], sample_b=right["id"],
        compare_key=pair.get("compare_key"), prompt=pair.get("prompt"),
        voter=voter, created_at=datetime.now(timezone.utc).isoformat(),
    )
    store(samples).set(PREFIX + vote["id"], vote)
    return vote


# votes already read, by dataset id and key: a vote never changes once
# written, so each process reads each vote once (the store has no batch get)
_READ = {}
_READ_LOCK = threading.Lock()


def votes(samples):
    """Every vote on the dataset, oldest first."""
    found = store(samples)
    keys = [k for k in found.list_keys() if k.startswith(PREFIX)]
    dataset_id = str(_dataset(samples)._doc.id)
    with _READ_LOCK:
        known = dict(_READ.get(dataset_id, {}))
    read = {k: known[k] if k in known else found.get(k) for k in keys}
    read = {k: v for k, v in read.items() if v}
    with _READ_LOCK:
        _READ[dataset_id] = read  # keys deleted meanwhile drop out here
    return sorted(read.values(), key=lambda v: v["created_at"])


def delete(samples, vote_id):
    """Removes one vote (a mistaken click); True if it existed."""
    return store(samples).delete(PREFIX + vote_id)
