"""One row per (model, backend) of a dataset or view: outputs, latency, cost
and scores, best first.

Minimal version written against the shared contract so the comparison panel
can be built beside it; the cost/leaderboard helper owns this file and its
version replaces this one on merge (same signature, same row shape).
"""

import statistics


def summarize(samples):
    """One row per (model, backend) in a dataset or view, best first."""
    fields = ["generation.model", "generation.model_label", "generation.backend",
              "generation.latency_s"]
    schema = samples.get_field_schema(flat=True)
    has_cost = "generation.cost" in schema or "generation.cost.usd" in schema
    metrics = sorted(name.split(".", 1)[1] for name in schema
                     if name.startswith("scores.") and name.count(".") == 1)
    columns = fields + (["generation.cost.usd"] if has_cost else []) + \
        [f"scores.{m}" for m in metrics]
    values = samples.values(columns) if len(samples) else [[] for _ in columns]
    groups = {}
    for row in zip(*values):
        model, label, backend, latency = row[:4]
        if model is None:
            continue
        group = groups.setdefault((model, backend), {
            "label": label or model, "latency": [], "cost": [],
            "scores": {m: [] for m in metrics}})
        if latency is not None:
            group["latency"].append(latency)
        rest = row[4:]
        if has_cost:
            if rest[0] is not None:
                group["cost"].append(rest[0])
            rest = rest[1:]
        for metric, score in zip(metrics, rest):
            if score is not None:
                group["scores"][metric].append(score)
        group.setdefault("outputs", 0)
        group["outputs"] += 1
    rows = [_row(model, backend, g) for (model, backend), g in groups.items()]
    first = metrics[0] if metrics else None

    def rank(row):
        score = row["scores"].get(first, {}).get("mean") if first else None
        return (score is None, -(score or 0), row["model_label"])

    return sorted(rows, key=rank)


def _row(model, backend, group):
    cost = sum(group["cost"]) if group["cost"] else None
    return {
        "model": model, "model_label": group["label"], "backend": backend,
        "outputs": group["outputs"], "failures": 0,
        "median_latency_s": statistics.median(group["latency"]) if group["latency"] else None,
        "cost_usd": cost,
        "cost_per_output_usd": cost / len(group["cost"]) if cost is not None else None,
        "scores": {m: _interval(v) for m, v in group["scores"].items() if v},
    }


def _interval(values):
    """Mean with a normal 95% interval."""
    mean = statistics.fmean(values)
    half = 1.96 * statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else 0.0
    return {"mean": mean, "low": mean - half, "high": mean + half, "n": len(values)}
