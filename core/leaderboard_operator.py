"""The ``leaderboard`` operator: a dataset or view summed up per model and
backend (:mod:`core.leaderboard`), shown as a table in the App and returned
as rows to Python."""

import fiftyone.operators as foo
import fiftyone.operators.types as types

from .leaderboard import display, summarize

COLUMNS = (("model", "Model"), ("backend", "Backend"), ("outputs", "Outputs"),
           ("failures", "Failures"), ("median_latency_s", "Median latency (s)"),
           ("cost", "Cost"), ("per_output", "Per output"),
           ("scores", "Scores: mean [95% interval] (n)"))


class Leaderboard(foo.Operator):
    @property
    def config(self):
        return foo.OperatorConfig(
            name="leaderboard",
            label="Leaderboard: compare models",
            description="Per model and backend: outputs, failures, median latency, "
            "cost, and each score's mean with a 95% interval",
            icon="/assets/icon-light.svg",
            dark_icon="/assets/icon-dark.svg",
            allow_immediate_execution=True,
            allow_delegated_execution=False,
        )

    def __call__(self, sample_collection):
        """The leaderboard of ``sample_collection`` (a dataset or view): a
        list of rows, best first, each ``{"model", "model_label", "backend",
        "outputs", "failures", "median_latency_s", "cost_usd",
        "cost_per_output_usd", "scores": {metric: {"mean", "low", "high",
        "n"}}}`` (README: Leaderboard)."""
        return summarize(sample_collection)

    def resolve_input(self, ctx):
        inputs = types.Object()
        inputs.view("about", types.Notice(
            label="Sums up the current view per model and backend"))
        return types.Property(inputs, view=types.View(label=self.config.label))

    def execute(self, ctx):
        rows = summarize(ctx.view)
        return {"rows": rows, "table": display(rows)}

    def resolve_output(self, ctx):
        outputs = types.Object()
        table = types.TableView()
        for key, label in COLUMNS:
            table.add_column(key, label=label)
        outputs.list("table", types.Object(), label="Leaderboard", view=table)
        return types.Property(outputs)
