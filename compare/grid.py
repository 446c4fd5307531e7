"""The comparison grid: one row per prompt (outputs sharing a
``generation.compare_key``: same prompt or source, run seed and image
index), one column per model, filtered and paged. Knows nothing of the App.
"""

from dataclasses import dataclass, field

from .outputs import outputs

PAGE_SIZE = 10


@dataclass
class Filters:
    """What the grid shows. None (or empty) means everything."""

    run_id: str = None
    index: int = None  # the image index within a prompt (seed = base seed + index)
    models: list = field(default_factory=list)
    backends: list = field(default_factory=list)
    prompt_contains: str = None
    metric: str = None  # a ``scores.<metric>`` to filter on
    min_score: float = None
    max_score: float = None

    def keeps(self, output):
        if self.run_id and output["run_id"] != self.run_id:
            return False
        if self.index is not None and output["index"] != self.index:
            return False
        if self.models and output["model"] not in self.models:
            return False
        if self.backends and output["backend"] not in self.backends:
            return False
        if self.prompt_contains and \
                self.prompt_contains.lower() not in (output["prompt"] or "").lower():
            return False
        if self.metric and (self.min_score is not None or self.max_score is not None):
            score = output.get("score")
            if score is None:
                return False
            if self.min_score is not None and score < self.min_score:
                return False
            if self.max_score is not None and score > self.max_score:
                return False
        return True


@dataclass
class Grid:
    columns: list  # [(model id, label)], by label
    rows: list  # [{"key", "prompt", "index", "cells": {model: output}}] of this page
    total_rows: int
    page: int
    pages: int
    choices: dict  # what the filters can pick: runs, models, backends, indexes


def choices_of(all_outputs):
    return {
        "runs": sorted({o["run_id"] for o in all_outputs if o["run_id"]}),
        "models": sorted({(o["model"], o["model_label"] or o["model"])
                          for o in all_outputs}, key=lambda m: m[1]),
        "backends": sorted({o["backend"] for o in all_outputs if o["backend"]}),
        "indexes": sorted({o["index"] for o in all_outputs if o["index"] is not None}),
    }


def build(samples_or_outputs, filters=None, page=0, page_size=PAGE_SIZE):
    """The grid of ``samples`` (a dataset or view, or outputs already read)
    under ``filters``, page ``page`` (from 0; clamped)."""
    filters = filters or Filters()
    if isinstance(samples_or_outputs, list):
        every = samples_or_outputs
    else:
        every = outputs(samples_or_outputs, metric=filters.metric)
    kept = [o for o in every if filters.keeps(o)]
    rows = {}
    for output in kept:
        key = output["compare_key"] or output["id"]
        row = rows.setdefault(key, {"key": key, "prompt": output["prompt"] or "",
                                    "index": output["index"], "cells": {}})
        # one output per model and row: the first (a model run on two
        # backends shows one of them; the backend filter picks which)
        row["cells"].setdefault(output["model"], output)
    ordered = sorted(rows.values(), key=lambda r: (r["prompt"].lower(), r["index"] or 0, r["key"]))
    labels = {o["model"]: o["model_label"] or o["model"] for o in kept}
    columns = sorted(labels.items(), key=lambda m: m[1].lower())
    pages = max(1, -(-len(ordered) // page_size))
    page = min(max(0, page), pages - 1)
    return Grid(columns=columns, rows=ordered[page * page_size:(page + 1) * page_size],
                total_rows=len(ordered), page=page, pages=pages, choices=choices_of(every))
