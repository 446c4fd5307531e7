"""Bradley-Terry ratings from the arena's votes, with 95% intervals, and
the win-rate matrix.

The fit is choix's ``ilsr_pairwise_dense`` (a maintained implementation of
the Bradley-Terry maximum-likelihood estimate) on the matrix of win counts,
so its cost barely grows with the number of votes. A tie, and "both bad",
counts as half a win each way (as LMSYS's Chatbot Arena does): in the counts
that is one win each way, which weighs like two decided votes; each decided
vote is therefore counted twice, so a tie weighs as much as a decisive vote.
Intervals come from a bootstrap over votes (percentiles 2.5 and 97.5).

Ratings are on an Elo-like scale: ``1000 + 400 * log10(strength)`` with the
strengths' geometric mean at 1, so 400 points means 10:1 odds.
"""

import math

BASE = 1000.0
SCALE = 400.0 / math.log(10)  # choix's parameters are natural-log strengths
ALPHA = 0.01  # a little regularisation: finite ratings for unbeaten models
BOOTSTRAP = 200


def _comparisons(votes, index):
    """Each vote as two (winner, loser) pairs of model indexes: an array of
    shape (votes, 2, 2)."""
    import numpy as np

    found = []
    for vote in votes:
        a, b = index[vote["model_a"]], index[vote["model_b"]]
        if vote["winner"] == "a":
            found.append([(a, b), (a, b)])
        elif vote["winner"] == "b":
            found.append([(b, a), (b, a)])
        else:  # tie or both bad: half a win each way
            found.append([(a, b), (b, a)])
    return np.array(found, dtype=int).reshape(-1, 2, 2)


def _fit(n, comparisons):
    """Centred log-strengths from (votes, 2, 2) comparisons, fitted on their
    count matrix (choix's dense form: as fast for 10 votes as for 10,000)."""
    import choix
    import numpy as np

    counts = np.zeros((n, n))
    pairs = comparisons.reshape(-1, 2)
    np.add.at(counts, (pairs[:, 0], pairs[:, 1]), 1.0)
    params = choix.ilsr_pairwise_dense(counts, alpha=ALPHA)
    return params - params.mean()


def models_of(votes):
    return sorted({v["model_a"] for v in votes} | {v["model_b"] for v in votes})


def ratings(votes, models=None, bootstrap=BOOTSTRAP, seed=0):
    """One row per model, best first: ``model``, ``rating`` with ``low`` and
    ``high`` (95% interval), ``strength`` (odds against the average model),
    and the counts ``votes``, ``wins``, ``losses``, ``ties``, ``both_bad``.
    Models without votes are left out."""
    import numpy as np

    models = sorted(models) if models is not None else models_of(votes)
    counts = {m: dict(votes=0, wins=0, losses=0, ties=0, both_bad=0) for m in models}
    for vote in votes:
        a, b = vote["model_a"], vote["model_b"]
        if a not in counts or b not in counts or a == b:
            continue
        for model in (a, b):
            counts[model]["votes"] += 1
        if vote["winner"] in ("a", "b"):
            winner, loser = (a, b) if vote["winner"] == "a" else (b, a)
            counts[winner]["wins"] += 1
            counts[loser]["losses"] += 1
        else:
            key = "both_bad" if vote["winner"] == "both_bad" else "ties"
            counts[a][key] += 1
            counts[b][key] += 1
    voted = [m for m in models if counts[m]["votes"]]
    if not voted:
        return []
    index = {m: i for i, m in enumerate(voted)}
    kept = [v for v in votes if v["model_a"] in index and v["model_b"] in index
            and v["model_a"] != v["model_b"]]
    comparisons = _comparisons(kept, index)
    point = _fit(len(voted), comparisons)
    rng = np.random.default_rng(seed)
    samples = [_fit(len(voted), comparisons[rng.integers(0, len(kept), len(kept))])
               for _ in range(bootstrap)]
    rows = []
    for i, model in enumerate(voted):
        spread = np.percentile([s[i] for s in samples], [2.5, 97.5]) if samples \
            else (point[i], point[i])
        rows.append(dict(
            model=model,
            rating=BASE + SCALE * float(point[i]),
            low=BASE + SCALE * float(min(spread[0], point[i])),
            high=BASE + SCALE * float(max(spread[1], point[i])),
            strength=math.exp(float(point[i])),
            **counts[model]))
    return sorted(rows, key=lambda r: -r["rating"])


def win_rates(votes, models=None):
    """``(models, matrix)``: ``matrix[i][j]`` is the share of votes between
    models i and j that i won (a tie or both bad counts half), None where
    they never met."""
    models = sorted(models) if models is not None else models_of(votes)
    index = {m: i for i, m in enumerate(models)}
    won = [[0.0] * len(models) for _ in models]
    met = [[0] * len(models) for _ in models]
    for vote in votes:
        a, b = index.get(vote["model_a"]), index.get(vote["model_b"])
        if a is None or b is None or a == b:
            continue
        met[a][b] += 1
        met[b][a] += 1
        share = {"a": 1.0, "b": 0.0}.get(vote["winner"], 0.5)
        won[a][b] += share
        won[b][a] += 1.0 - share
    matrix = [[won[i][j] / met[i][j] if met[i][j] else None for j in range(len(models))]
              for i in range(len(models))]
    return models, matrix
