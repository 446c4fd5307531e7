"""The comparison's plain functions: Bradley-Terry ratings against a known
answer, informative pair selection, and the grid (rows = prompts, columns =
models, filters, pages)."""

import math
import random

import pytest

from .conftest import module

ratings = module("compare.ratings")
pairs = module("compare.pairs")
grid = module("compare.grid")

STRENGTHS = {"flux": 4.0, "sdxl": 2.0, "sd15": 1.0, "tiny": 0.5}


def synthetic_votes(strengths, n, seed=0, tie_share=0.0):
    """Votes drawn from a Bradley-Terry model with known strengths:
    P(a beats b) = s_a / (s_a + s_b)."""
    rng = random.Random(seed)
    models = sorted(strengths)
    found = []
    for _ in range(n):
        a, b = rng.sample(models, 2)
        if rng.random() < tie_share:
            winner = rng.choice(["tie", "both_bad"])
        else:
            winner = "a" if rng.random() < strengths[a] / (strengths[a] + strengths[b]) else "b"
        found.append({"model_a": a, "model_b": b, "winner": winner})
    return found


def test_ratings_recover_the_order_and_ratios_of_known_strengths():
    rated = ratings.ratings(synthetic_votes(STRENGTHS, 3000), bootstrap=50)
    assert [r["model"] for r in rated] == ["flux", "sdxl", "sd15", "tiny"]
    by_model = {r["model"]: r for r in rated}
    for a, b in [("flux", "sdxl"), ("sdxl", "sd15"), ("sd15", "tiny"), ("flux", "tiny")]:
        true = STRENGTHS[a] / STRENGTHS[b]
        found = by_model[a]["strength"] / by_model[b]["strength"]
        assert abs(math.log(found / true)) < math.log(1.3), (a, b, found, true)
    # the Elo-like scale: 400 points per factor 10 of strength
    gap = by_model["flux"]["rating"] - by_model["tiny"]["rating"]
    assert gap == pytest.approx(400 * math.log10(by_model["flux"]["strength"]
                                                 / by_model["tiny"]["strength"]))


def test_intervals_hold_the_rating_and_narrow_with_more_votes():
    few = {r["model"]: r for r in ratings.ratings(synthetic_votes(STRENGTHS, 120), bootstrap=100)}
    many = {r["model"]: r for r in ratings.ratings(synthetic_votes(STRENGTHS, 3000),
                                                    bootstrap=100)}
    for model in STRENGTHS:
        for rows in (few, many):
            assert rows[model]["low"] <= rows[model]["rating"] <= rows[model]["high"]
        assert (many[model]["high"] - many[model]["low"]) < (few[model]["high"] - few[model]["low"])


def test_ties_pull_ratings_together_and_are_counted():
    decided = synthetic_votes({"a": 4.0, "b": 1.0}, 400)
    tied = decided + [{"model_a": "a", "model_b": "b", "winner": "tie"}] * 400
    gap = lambda rows: rows[0]["rating"] - rows[1]["rating"]  # noqa: E731
    assert 0 < gap(ratings.ratings(tied, bootstrap=0)) < gap(ratings.ratings(decided, bootstrap=0))
    row = {r["model"]: r for r in ratings.ratings(tied, bootstrap=0)}["a"]
    assert row["ties"] == 400 and row["wins"] + row["losses"] == 400 and row["votes"] == 800


def test_an_unbeaten_model_gets_a_finite_rating_and_no_votes_no_rows():
    rated = ratings.ratings([{"model_a": "x", "model_b": "y", "winner": "a"}] * 5, bootstrap=20)
    assert rated[0]["model"] == "x" and math.isfinite(rated[0]["rating"])
    assert ratings.ratings([]) == []


def test_win_rate_matrix():
    votes = [{"model_a": "a", "model_b": "b", "winner": "a"},
             {"model_a": "b", "model_b": "a", "winner": "b"},
             {"model_a": "a", "model_b": "b", "winner": "tie"},
             {"model_a": "b", "model_b": "a", "winner": "a"}]
    models, matrix = ratings.win_rates(votes + [{"model_a": "c", "model_b": "a", "winner": "a"}])
    assert models == ["a", "b", "c"]
    # a won 2 of 4 against b, lost 1, tied 1: 2.5 / 4
    assert matrix[0][1] == pytest.approx(0.625) and matrix[1][0] == pytest.approx(0.375)
    assert matrix[1][2] is None and matrix[2][0] == 1.0


def outputs_of(prompts, models, indexes=(0,), backend="local", missing=()):
    found = []
    for p, prompt in enumerate(prompts):
        for index in indexes:
            for model in models:
                if (prompt, model) in missing:
                    continue
                found.append(dict(
                    id=f"{model}-{p}-{index}", filepath=f"/x/{model}-{p}-{index}.png",
                    media_type="image", model=model, model_label=model.upper(),
                    backend=backend, prompt=prompt, compare_key=f"k{p}-{index}",
                    index=index, seed=index, run_id="run1", score=float(p)))
    return found


def test_next_pair_prefers_pairs_with_few_comparisons():
    every = outputs_of(["a cat", "a dog"], ["m1", "m2", "m3"])
    votes = [{"model_a": "m1", "model_b": "m2", "winner": w} for w in "ab" * 10]
    rng = random.Random(1)
    drawn = [pairs.next_pair(every, votes, rng) for _ in range(300)]
    met = [tuple(sorted((d["left"]["model"], d["right"]["model"]))) for d in drawn]
    assert met.count(("m1", "m2")) < 0.05 * len(met)
    # both sides come up on the left, the prompt matches both outputs
    assert {d["left"]["model"] for d in drawn} == {"m1", "m2", "m3"}
    for d in drawn:
        assert d["left"]["compare_key"] == d["right"]["compare_key"]
        assert d["left"]["model"] != d["right"]["model"]


def test_next_pair_prefers_close_pairs_among_equally_compared_ones():
    weights = pairs.pair_weights(["m1", "m2", "m3"], (
        [{"model_a": "m1", "model_b": "m2", "winner": w} for w in "ab" * 5]
        + [{"model_a": "m1", "model_b": "m3", "winner": "a"}] * 10))
    assert weights[("m1", "m2")] > 3 * weights[("m1", "m3")]
    assert weights[("m2", "m3")] > weights[("m1", "m2")]  # never met


def test_no_pair_without_two_models_on_one_prompt():
    assert pairs.next_pair(outputs_of(["a"], ["m1"]), [], random.Random(0)) is None
    apart = outputs_of(["a", "b"], ["m1", "m2"], missing={("a", "m2"), ("b", "m1")})
    assert pairs.next_pair(apart, [], random.Random(0)) is None


def test_grid_rows_are_prompts_and_columns_models():
    every = outputs_of([f"prompt {i:02d}" for i in range(25)], ["m2", "m1", "m3"],
                       indexes=(0, 1), missing={("prompt 03", "m3")})
    built = grid.build(every, grid.Filters(index=0), page=0, page_size=10)
    assert built.columns == [("m1", "M1"), ("m2", "M2"), ("m3", "M3")]
    assert built.total_rows == 25 and built.pages == 3 and len(built.rows) == 10
    assert [r["prompt"] for r in built.rows[:2]] == ["prompt 00", "prompt 01"]
    assert "m3" not in built.rows[3]["cells"] and len(built.rows[2]["cells"]) == 3
    last = grid.build(every, grid.Filters(index=0), page=7, page_size=10)
    assert last.page == 2 and len(last.rows) == 5
    assert grid.build(every).total_rows == 50  # both image indexes
    assert built.choices["indexes"] == [0, 1] and built.choices["runs"] == ["run1"]


def test_grid_filters():
    every = outputs_of(["a red fox", "a blue whale", "a red car"], ["m1", "m2", "m3"])
    assert grid.build(every, grid.Filters(prompt_contains="RED")).total_rows == 2
    only = grid.build(every, grid.Filters(models=["m1", "m3"]))
    assert [c for c, _ in only.columns] == ["m1", "m3"]
    assert grid.build(every, grid.Filters(backends=["api"])).total_rows == 0
    scored = grid.build(every, grid.Filters(metric="clip", min_score=1.0))
    assert {r["prompt"] for r in scored.rows} == {"a blue whale", "a red car"}
    assert grid.build(every, grid.Filters(run_id="other")).total_rows == 0
