"""The arena's results from Python: ``foo.get_operator(
"@multigen/generate/arena_results")`` gives an object whose ``votes``,
``ratings`` and ``win_rates`` read the dataset's votes; calling it returns
all three. In the App it lists the ratings."""

import fiftyone.operators as foo
import fiftyone.operators.types as types

from . import ratings as rating
from . import votes as stored


class ArenaResults(foo.Operator):
    @property
    def config(self):
        return foo.OperatorConfig(
            name="arena_results",
            label="Arena ratings",
            description="Bradley-Terry ratings of the models from the arena's votes",
        )

    def votes(self, samples):
        """Every vote on the dataset of ``samples``, oldest first."""
        return stored.votes(samples)

    def ratings(self, samples, bootstrap=rating.BOOTSTRAP, seed=0):
        """Ratings best first: ``model``, ``rating``, ``low``, ``high`` (95%),
        ``strength``, ``votes``, ``wins``, ``losses``, ``ties``, ``both_bad``."""
        return rating.ratings(stored.votes(samples), bootstrap=bootstrap, seed=seed)

    def win_rates(self, samples):
        """``(models, matrix)``: share of votes row model won against column."""
        return rating.win_rates(stored.votes(samples))

    def __call__(self, samples):
        """``{"votes", "ratings", "win_rates": {"models", "matrix"}}``."""
        every = stored.votes(samples)
        models, matrix = rating.win_rates(every)
        return {"votes": every, "ratings": rating.ratings(every),
                "win_rates": {"models": models, "matrix": matrix}}

    def execute(self, ctx):
        return {"ratings": rating.ratings(stored.votes(ctx.dataset))}

    def resolve_output(self, ctx):
        outputs = types.Object()
        table = types.TableView()
        for key in ("model", "rating", "low", "high", "votes", "wins", "losses", "ties"):
            table.add_column(key, label=key)
        outputs.list("ratings", types.Object(), view=table)
        return types.Property(outputs)
