"""Benchmark: the Compare models panel's own costs. (a) Arena ratings with
200 bootstrap resamples, fitted on the win-count matrix (the plugin) against
choix's fit on the list of comparisons (baseline), at 1,000 and 5,000 votes
among 8 models; goal at least 5x faster at 1,000 votes. (b) What one panel
event costs on 500 prompts x 5 models (2,500 samples): building the grid's
page, and choosing the next arena pair with 1,000 votes stored; goal median
at most 500 ms each. Usage: ``.venv/bin/python -m bench.arena``."""

import random
import statistics
import time

from bench.env import plugin_module, ratio_line

MODELS = [f"model-{i}" for i in range(8)]


def synthetic_votes(n, seed=0):
    rng = random.Random(seed)
    strength = {m: 2 ** (i / 2) for i, m in enumerate(MODELS)}
    votes = []
    for i in range(n):
        a, b = rng.sample(MODELS, 2)
        winner = "a" if rng.random() < strength[a] / (strength[a] + strength[b]) else "b"
        votes.append({"model_a": a, "model_b": b, "winner": winner, "created_at": str(i)})
    return votes


def baseline_ratings(votes, bootstrap=200, seed=0):
    """The same estimate, refitted from the list of comparisons each time."""
    import choix

    index = {m: i for i, m in enumerate(MODELS)}
    rng = random.Random(seed)

    def fit(sample):
        data = []
        for v in sample:
            a, b = index[v["model_a"]], index[v["model_b"]]
            data += [(a, b)] * 2 if v["winner"] == "a" else [(b, a)] * 2
        return choix.ilsr_pairwise(len(MODELS), data, alpha=0.01)

    fit(votes)
    return [fit(rng.choices(votes, k=len(votes))) for _ in range(bootstrap)]


def timed(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ratings_bench():
    ratings = plugin_module("compare.ratings")
    for n in (1000, 5000):
        votes = synthetic_votes(n)
        plugin = timed(lambda: ratings.ratings(votes))
        baseline = timed(lambda: baseline_ratings(votes), repeat=1)
        print(f"ratings, {n} votes, 200 bootstraps: baseline {baseline:.2f} s, "
              f"plugin {plugin:.3f} s")
        if n == 1000:
            print(ratio_line("ratings speed-up at 1,000 votes", baseline / plugin, 5, "higher"))


def panel_bench():
    import fiftyone as fo

    grid = plugin_module("compare.grid")
    pairs = plugin_module("compare.pairs")
    outputs = plugin_module("compare.outputs")
    votes = plugin_module("compare.votes")
    dataset = fo.Dataset()
    try:
        dataset.add_samples([
            fo.Sample(filepath=f"/bench/{m}/{p}.png", generation=fo.DynamicEmbeddedDocument(
                model=MODELS[m], model_label=MODELS[m], backend="diffusers",
                prompt=f"prompt {p}", compare_key=f"k{p}", index=0, seed=0, run_id="r"))
            for p in range(500) for m in range(5)])
        store = votes.store(dataset)
        for i, vote in enumerate(synthetic_votes(1000)):
            store.set(f"{votes.PREFIX}{i}", vote)
        build = [timed(lambda: grid.build(dataset, page=3), repeat=1) for _ in range(5)]
        choose = [timed(lambda: pairs.next_pair(outputs.outputs(dataset),
                                                votes.votes(dataset)), repeat=1)
                  for _ in range(5)]
        for name, times in (("grid page", build), ("next arena pair", choose)):
            median = statistics.median(times) * 1000
            print(f"{name}, 2,500 samples: median {median:.0f} ms (goal <= 500 ms) "
                  f"{'PASS' if median <= 500 else 'MISS'}")
    finally:
        dataset.delete()


def main():
    ratings_bench()
    panel_bench()


if __name__ == "__main__":
    main()
