"""Which two outputs the arena shows next.

Informative first: a pair of models is drawn with a weight that falls with
how often they have met and rises as their record nears 50:50, so models
with few comparisons, and close ones, come up first; every pair keeps some
chance. Then a random prompt where both have an output, and random sides.
"""

import itertools
import random


def pair_weights(models, votes):
    """``{(a, b): weight}`` for every pair of ``models`` (sorted ids)."""
    met, won = {}, {}
    for vote in votes:
        a, b = vote["model_a"], vote["model_b"]
        if a == b:
            continue
        key = tuple(sorted((a, b)))
        met[key] = met.get(key, 0) + 1
        share = {"a": 1.0, "b": 0.0}.get(vote["winner"], 0.5)
        won[key] = won.get(key, 0.0) + (share if a == key[0] else 1.0 - share)
    weights = {}
    for key in itertools.combinations(sorted(models), 2):
        n = met.get(key, 0)
        # win share of the first, pulled to 1/2 by one pseudo-tie
        p = (won.get(key, 0.0) + 0.5) / (n + 1)
        closeness = 1.0 - abs(2 * p - 1)  # 1 at 50:50, 0 at a whitewash
        weights[key] = (0.2 + closeness) / (1 + n) ** 2
    return weights


def next_pair(all_outputs, votes, rng=None):
    """The next pair to vote on: ``{"compare_key", "prompt", "left",
    "right"}`` with the outputs (dicts from :func:`compare.outputs.outputs`)
    on each side, or None when no prompt has outputs of two models."""
    rng = rng or random.Random()
    by_key = {}
    for output in all_outputs:
        key = output["compare_key"] or output["id"]
        by_key.setdefault(key, {}).setdefault(output["model"], output)
    together = {}
    for key, models in by_key.items():
        for pair in itertools.combinations(sorted(models), 2):
            together.setdefault(pair, []).append(key)
    if not together:
        return None
    weights = pair_weights({m for pair in together for m in pair}, votes)
    pairs = sorted(together)
    (a, b), = rng.choices(pairs, weights=[weights[p] for p in pairs])
    key = rng.choice(sorted(together[(a, b)]))
    left, right = by_key[key][a], by_key[key][b]
    if rng.random() < 0.5:
        left, right = right, left
    return {"compare_key": key, "prompt": left["prompt"], "left": left, "right": right}
