"""The leaderboard: a dataset (or view) summed up per model and backend.

One row per (model, backend) that made outputs in the view (or, for a
whole dataset, that failed there too): how many outputs, how many failures,
the median latency, the total and per-output cost, and the mean of each
``scores.<metric>`` field with a 95% confidence interval.

- Failures are those kept beside the dataset by :mod:`core.failures`
  (items the model or provider failed; items a run never started, cancelled
  or stopped by its budget, are not the model's fault and are not counted).
- Cost sums ``generation.cost.usd`` over the outputs that have one (reported
  or estimated; see :mod:`core.pricing`); it is None when no output of the
  row has a cost (local runs, unknown prices), and the per-output cost
  divides by the outputs that have one.
- The interval is Student's t interval of the mean (``mean ± t(0.975, n-1)
  · s/√n``): scores of different prompts are independent draws, and t is
  exact for normal scores and close for others at the sample sizes people
  compare models on. With one score the interval is the mean itself.
- Best first: the highest mean of the first score (by metric id) leads;
  rows without scores follow, cheapest per output first.
"""

import math
import statistics
from typing import Dict, List, Optional

SCORES = "scores"


def summarize(samples) -> List[dict]:
    """One row per (model, backend) in a dataset or view, best first::

        {"model", "model_label", "backend", "outputs", "failures",
         "median_latency_s", "cost_usd", "cost_per_output_usd",
         "scores": {metric_id: {"mean", "low", "high", "n"}}}
    """
    from . import failures

    records = read(samples)
    dataset = samples._root_dataset
    # a view shows the rows of what it holds; the whole dataset also the
    # models that only failed there
    whole = not getattr(samples, "_stages", None)
    return rows(records, failures.load(dataset), include_failure_only=whole)


def read(samples):
    """The generated outputs of ``samples`` as plain dicts: model,
    model_label, backend, latency_s, cost_usd, scores {metric: value}."""
    if not samples.has_field("generation.model"):
        return []
    view = samples.exists("generation.model")
    metrics = score_fields(view)
    fields = ["generation.model", "generation.model_label", "generation.backend",
              "generation.latency_s"]
    has_cost = view.has_field("generation.cost.usd")
    if has_cost:
        fields.append("generation.cost.usd")
    fields += [f"{SCORES}.{m}" for m in metrics]
    columns = view.values(fields)
    records = []
    for i in range(len(columns[0])):
        record = {"model": columns[0][i], "model_label": columns[1][i],
                  "backend": columns[2][i], "latency_s": columns[3][i],
                  "cost_usd": columns[4][i] if has_cost else None, "scores": {}}
        offset = 5 if has_cost else 4
        for j, metric in enumerate(metrics):
            value = columns[offset + j][i]
            if value is not None:
                record["scores"][metric] = value
        records.append(record)
    return records


def score_fields(samples):
    """The metric ids of the ``scores.<metric>`` number fields present."""
    if not samples.has_field(SCORES):
        return []
    schema = samples.get_field_schema(flat=True)
    prefix = SCORES + "."
    return sorted(name[len(prefix):] for name, field in schema.items()
                  if name.startswith(prefix) and "." not in name[len(prefix):]
                  and type(field).__name__ in ("FloatField", "IntField"))


def rows(records, failures=(), include_failure_only=True):
    """The leaderboard of ``records`` (see :func:`read`) and ``failures``
    (dicts with ``model``, ``backend``, ``kind``), best first."""
    from .failures import FAILED

    groups: Dict[tuple, List[dict]] = {}
    for record in records:
        groups.setdefault((record["model"], record["backend"]), []).append(record)
    failed: Dict[tuple, int] = {}
    for failure in failures:
        if failure.get("model") and failure.get("kind", FAILED) == FAILED:
            key = (failure["model"], failure.get("backend"))
            failed[key] = failed.get(key, 0) + 1
    keys = list(groups) + [k for k in failed if k not in groups and include_failure_only]
    table = [row(key, groups.get(key, []), failed.get(key, 0)) for key in keys]
    return sorted(table, key=_rank)


def row(key, records, failures=0):
    model, backend = key
    latencies = [r["latency_s"] for r in records if r.get("latency_s") is not None]
    costs = [r["cost_usd"] for r in records if r.get("cost_usd") is not None]
    metrics = sorted({m for r in records for m in r.get("scores", {})})
    return {
        "model": model,
        "model_label": next((r["model_label"] for r in records if r.get("model_label")),
                            _label(model)),
        "backend": backend,
        "outputs": len(records),
        "failures": failures,
        "median_latency_s": statistics.median(latencies) if latencies else None,
        "cost_usd": sum(costs) if costs else None,
        "cost_per_output_usd": sum(costs) / len(costs) if costs else None,
        "scores": {m: mean_interval([r["scores"][m] for r in records if m in r["scores"]])
                   for m in metrics},
    }


def mean_interval(values, confidence=0.95):
    """``{"mean", "low", "high", "n"}``: the mean of ``values`` and its
    Student's t confidence interval (the mean itself for one value)."""
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return {"mean": mean, "low": mean, "high": mean, "n": n}
    from scipy import stats

    half = stats.t.ppf((1 + confidence) / 2, n - 1) * statistics.stdev(values) / math.sqrt(n)
    return {"mean": mean, "low": mean - half, "high": mean + half, "n": n}


def _rank(r):
    scores = r["scores"]
    first = scores[min(scores)]["mean"] if scores else None
    per_output = r["cost_per_output_usd"]
    return (first is None, -(first or 0.0), per_output is None, per_output or 0.0,
            r["failures"], r["model"], r["backend"] or "")


def _label(model_id):
    from . import catalog

    try:
        return catalog.get(model_id).label
    except ValueError:
        return model_id


def display(rows_: List[dict]) -> List[dict]:
    """The rows as the App's table shows them: one line of text per
    cell (numbers rounded, each score as "mean [low, high] (n)")."""
    from .pricing import usd

    def money(value: Optional[float]):
        return usd(value) if value is not None else "unknown"

    return [{
        "model": r["model_label"],
        "backend": r["backend"],
        "outputs": r["outputs"],
        "failures": r["failures"],
        "median_latency_s": (f"{r['median_latency_s']:.2f}"
                             if r["median_latency_s"] is not None else "-"),
        "cost": money(r["cost_usd"]),
        "per_output": money(r["cost_per_output_usd"]),
        "scores": "; ".join(f"{m} {s['mean']:.4g} [{s['low']:.4g}, {s['high']:.4g}] "
                            f"(n={s['n']})" for m, s in r["scores"].items()) or "-",
    } for r in rows_]
