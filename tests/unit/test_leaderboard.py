"""The leaderboard's maths on known numbers: counts, median latency,
cost, each score's mean and 95% t interval, and the order."""

import math

import pytest

from tests.unit.conftest import module

leaderboard = module("core.leaderboard")

T_975_2 = 4.302652729911275  # Student's t, 97.5th percentile, 2 degrees of freedom


def record(model, backend, latency, cost=None, **scores):
    return {"model": model, "model_label": model.upper(), "backend": backend,
            "latency_s": latency, "cost_usd": cost, "scores": scores}


RECORDS = [
    record("a", "replicate", 1.0, 0.01, clip=1.0),
    record("a", "replicate", 2.0, 0.02, clip=2.0),
    record("a", "replicate", 10.0, None, clip=3.0),
    record("b", "openai", 4.0, 0.1, clip=4.0),
    record("b", "openai", 6.0, 0.1, clip=4.0),
    record("d", "diffusers", 0.5),
]
FAILURES = [
    {"model": "b", "backend": "openai", "kind": "failed", "error": "x"},
    {"model": "b", "backend": "openai", "kind": "failed", "error": "y"},
    {"model": "b", "backend": "openai", "kind": "not_run", "error": "not run: budget"},
    {"model": "c", "backend": "stability", "kind": "failed", "error": "z"},
    {"model": None, "backend": None, "kind": "failed", "error": "unreadable source"},
]


def test_rows_sum_up_each_model_and_backend():
    rows = {r["model"]: r for r in leaderboard.rows(RECORDS, FAILURES)}
    a = rows["a"]
    assert (a["outputs"], a["failures"], a["median_latency_s"]) == (3, 0, 2.0)
    # cost of the outputs that have one, per output among those
    assert a["cost_usd"] == pytest.approx(0.03)
    assert a["cost_per_output_usd"] == pytest.approx(0.015)
    half = T_975_2 * 1.0 / math.sqrt(3)  # scores 1, 2, 3: mean 2, sd 1
    assert a["scores"]["clip"] == pytest.approx(
        {"mean": 2.0, "low": 2.0 - half, "high": 2.0 + half, "n": 3})
    b = rows["b"]
    # items never started (budget, cancel) are not the model's failures
    assert (b["outputs"], b["failures"], b["median_latency_s"]) == (2, 2, 5.0)
    assert b["scores"]["clip"] == {"mean": 4.0, "low": 4.0, "high": 4.0, "n": 2}
    assert rows["d"]["cost_usd"] is None and rows["d"]["scores"] == {}
    # a model that only failed has a row, named from the catalog when known
    assert rows["c"]["outputs"] == 0 and rows["c"]["failures"] == 1
    assert rows["c"]["median_latency_s"] is None


def test_best_first_by_the_first_score_then_cheapest():
    order = [(r["model"], r["backend"]) for r in leaderboard.rows(RECORDS, FAILURES)]
    assert order == [("b", "openai"), ("a", "replicate"), ("d", "diffusers"),
                     ("c", "stability")]


def test_a_view_shows_no_rows_of_models_it_does_not_hold():
    models = {r["model"] for r in leaderboard.rows(RECORDS, FAILURES,
                                                   include_failure_only=False)}
    assert models == {"a", "b", "d"}


def test_one_score_is_its_own_interval():
    assert leaderboard.mean_interval([0.3]) == {"mean": 0.3, "low": 0.3, "high": 0.3,
                                                "n": 1}


def test_the_app_table_shows_one_line_per_cell():
    table = leaderboard.display(leaderboard.rows(RECORDS, FAILURES))
    assert table[0]["cost"] == "$0.20" and table[0]["per_output"] == "$0.10"
    assert table[0]["scores"] == "clip 4 [4, 4] (n=2)"
    assert table[2]["cost"] == "unknown"
