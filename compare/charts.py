"""The leaderboard's table rows and Plotly figures (plain dicts, as
FiftyOne's PlotlyView takes them): ratings with intervals, the win-rate
matrix, each model's score distribution, cost against score."""

BOARD_COLUMNS = (
    ("model", "Model"), ("backend", "Backend"), ("outputs", "Outputs"),
    ("failures", "Failures"), ("latency", "Median latency (s)"),
    ("cost", "Cost per output (USD)"), ("score", "Score (mean, 95%)"),
    ("rating", "Arena rating (95%)"), ("votes", "Votes"),
)


def _fmt(value, digits=2):
    return "" if value is None else f"{value:.{digits}f}"


def board_table(rows, rated):
    """One row per (model, backend) of the leaderboard, joined with the
    model's arena rating."""
    by_model = {r["model"]: r for r in rated}
    table = []
    for row in rows:
        scores = row.get("scores") or {}
        first = next(iter(sorted(scores)), None)
        score = scores.get(first) if first else None
        arena = by_model.get(row["model"])
        table.append({
            "model": row["model_label"], "backend": row["backend"] or "",
            "outputs": row["outputs"], "failures": row["failures"],
            "latency": _fmt(row["median_latency_s"]),
            "cost": _fmt(row["cost_per_output_usd"], 4),
            "score": "" if not score else
            f"{first} {score['mean']:.3f} [{score['low']:.3f}, {score['high']:.3f}]",
            "rating": "" if not arena else
            f"{arena['rating']:.0f} [{arena['low']:.0f}, {arena['high']:.0f}]",
            "votes": arena["votes"] if arena else 0,
        })
    return table


def ratings_plot(rated, labels):
    """Each rated model's rating, with its interval as an error bar."""
    ordered = list(reversed(rated))  # best at the top
    return [{
        "type": "scatter", "mode": "markers", "name": "rating",
        "y": [labels.get(r["model"], r["model"]) for r in ordered],
        "x": [r["rating"] for r in ordered],
        "error_x": {"type": "data", "symmetric": False,
                    "array": [r["high"] - r["rating"] for r in ordered],
                    "arrayminus": [r["rating"] - r["low"] for r in ordered]},
        "marker": {"size": 10},
    }]


def ratings_layout():
    return {"title": {"text": "Arena ratings (Bradley-Terry, 95% interval)"},
            "xaxis": {"title": {"text": "rating"}}, "margin": {"l": 160, "t": 60},
            "autosize": True}


def win_plot(models, matrix, labels):
    names = [labels.get(m, m) for m in models]
    return [{"type": "heatmap", "x": names, "y": names, "z": matrix,
             "zmin": 0, "zmax": 1, "colorscale": "RdBu", "hoverongaps": False,
             "colorbar": {"title": {"text": "row wins"}}}]


def win_layout():
    return {"title": {"text": "Win rate of row model against column model"},
            "margin": {"l": 160, "t": 60}, "autosize": True}


def score_plot(outputs, metric):
    """A box per model of its outputs' ``scores.<metric>``."""
    by_model = {}
    for output in outputs:
        if output.get("score") is not None:
            label = output["model_label"] or output["model"]
            by_model.setdefault(label, []).append(output["score"])
    return [{"type": "box", "name": label, "y": values, "boxpoints": "all"}
            for label, values in sorted(by_model.items())]


def score_layout(metric):
    return {"title": {"text": f"{metric} per model"}, "showlegend": False,
            "autosize": True}


def cost_plot(rows, metric):
    """Each (model, backend): cost per output against mean score."""
    points = [r for r in rows if r.get("cost_per_output_usd") is not None
              and metric in (r.get("scores") or {})]
    return [{
        "type": "scatter", "mode": "markers+text",
        "x": [r["cost_per_output_usd"] for r in points],
        "y": [r["scores"][metric]["mean"] for r in points],
        "text": [f"{r['model_label']} ({r['backend']})" for r in points],
        "textposition": "top center", "marker": {"size": 12},
    }]


def cost_layout(metric):
    return {"title": {"text": f"Cost per output against {metric}"},
            "xaxis": {"title": {"text": "USD per output"}},
            "yaxis": {"title": {"text": metric}}, "autosize": True}
