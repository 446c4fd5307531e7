"""The ``score`` operator: scores the samples of the current view (the
selection, the view or the dataset) with declared metrics. Thin: the form
comes from the declarations, ``execute`` hands off to
:class:`scoring.Session`, shards queue through :mod:`core.delegation` as
generation's do, and the SDK call goes through :func:`core.sdk.call`."""

import fiftyone.operators as foo
import fiftyone.operators.types as types

from ..core import delegation, metrics as registry, sdk
from ..core.backends.diffusers_local import gpu_present
from ..core.forms import add_param, flag
from .request import RUN_PARAMS, parse
from .scoring import Session, outcome, samples_of

DEFAULT_METRICS = ("clip_score",)
NO_SAMPLES = "there are no samples to score in this view"


class ScoreOperator(foo.Operator):
    @property
    def config(self):
        return foo.OperatorConfig(
            name="score",
            label="Score generated samples",
            description="Score the samples of the current view with CLIPScore, "
            "PickScore or the LAION aesthetic predictor",
            dynamic=True,
            execute_as_generator=True,
            allow_immediate_execution=True,
            allow_delegated_execution=True,
            light_icon="/assets/icon-light.svg",
            dark_icon="/assets/icon-dark.svg",
            view_target=True,
        )

    def __call__(self, sample_collection, metrics=DEFAULT_METRICS, prompt_field=None,
                 frames=None, batch_size=None, rescore=False, shards=None, delegate=False):
        """Scores the samples of ``sample_collection`` (generated or not).

        Each metric writes ``scores.<metric>`` (a float) on every sample it
        scores and ``scoring.<metric>`` beside it (the version, weights'
        commits, pictures scored and their minimum). Samples already scored
        with the same metric version are skipped.

        Args:
            sample_collection: a dataset or view; in a grouped one every
                slice is scored except pictures that accompany another
                output (sources, previews)
            metrics (("clip_score",)): metric ids: ``clip_score``,
                ``pick_score``, ``aesthetic`` (``list_metrics()``)
            prompt_field (None): the field holding each sample's prompt;
                default ``generation.prompt``
            frames (8): pictures scored per video or 3D preview (mean
                written, minimum recorded)
            batch_size (32): pictures per forward pass
            rescore (False): score again what was already scored
            shards (None): with ``delegate=True``, split the run into this
                many delegated operations for several workers
            delegate (False): queue the run for ``fiftyone delegated launch``

        Returns:
            an ExecutionResult whose ``result`` is ``{"dataset", "scored":
            {metric: n}, "skipped": {metric: n}, "failed": [...],
            "cancelled"}`` (with ``shards``: ``{"queued": [ids]}``)
        """
        params = {"metrics": [metrics] if isinstance(metrics, str) else list(metrics),
                  "prompt_field": prompt_field, "frames": frames,
                  "batch_size": batch_size, "rescore": rescore, "shards": shards}
        params = {k: v for k, v in params.items() if v is not None}
        return sdk.call(self, sample_collection, params, delegate)

    @staticmethod
    def list_metrics():
        """The declared metrics, as dicts (id, label, measures, weights,
        version, range, direction, caveats)."""
        return [m.to_dict() for m in registry.metrics()]

    # what sdk.call asks of an operator ----------------------------------------------

    def parse(self, params, secrets=None, view=None, check_ready=True):
        return parse(params, view)

    def sources_problem(self, sample_collection):
        return None if len(samples_of(sample_collection)) else NO_SAMPLES

    # the App -------------------------------------------------------------------------

    def resolve_input(self, ctx):
        params = ctx.params if "metrics" in ctx.params else {
            **ctx.params, "metrics": list(DEFAULT_METRICS)}
        request = parse(params, ctx.view)
        inputs = types.Object()
        view = types.AutocompleteView(allow_user_input=False, allow_duplicates=False,
                                      filter_selected_options=True)
        for metric in registry.metrics():
            direction = "higher" if metric.higher_is_better else "lower"
            view.add_choice(metric.id, label=metric.label,
                            description=f"{metric.measures} ({metric.describe_range()}, "
                            f"{direction} is better; {metric.typical})")
        prop = inputs.list("metrics", types.String(), label="Metrics", required=True,
                           default=list(DEFAULT_METRICS), view=view,
                           description="What to score; each writes scores.<metric>")
        flag(prop, request.errors.get((None, "metrics")))
        fields = sorted(name for name, f in ctx.view.get_field_schema(flat=True).items()
                        if type(f).__name__ == "StringField" and name != "filepath")
        if fields:
            prop = inputs.enum("prompt_field", fields, label="Prompts from",
                               description="The field holding each sample's prompt "
                               "(blank: generation.prompt)", view=types.Dropdown())
            flag(prop, request.errors.get((None, "prompt_field")))
        for param in RUN_PARAMS:
            flag(add_param(inputs, param, param.name),
                 request.errors.get((None, param.name)))
        prop = inputs.int("shards", label="Shards", default=1, min=1, max=64,
                          description="Split a delegated run into this many operations, "
                          "one per `fiftyone delegated launch` worker")
        flag(prop, request.errors.get((None, "shards")))
        target = ctx.target_view()
        count = len(samples_of(target))
        if not request.valid or not count:
            problems = dict(request.errors)
            if not count:
                problems[None, "view"] = NO_SAMPLES
            inputs.view("problems", types.Error(
                label="Fix these before running",
                description="; ".join(f"{name}: {m}" for (_, name), m in problems.items())))
        else:
            labels = ", ".join(registry.get(m).label for m in request.metric_ids)
            where = "the GPU" if gpu_present() else "the CPU (no GPU found)"
            inputs.view("summary", types.Notice(
                label=f"Scores {count} sample{'s' if count != 1 else ''} with {labels} "
                f"on {where}; samples already scored with the same version are kept"))
        return types.Property(inputs, view=types.View(label="Score generated samples"))

    def execute(self, ctx):
        request = parse(ctx.params, ctx.view)
        if not request.valid:
            raise ValueError(request.error_text())
        returns_result = bool(ctx.delegated or ctx.params.get(sdk.RESULT_PARAM))
        view = ctx.target_view()
        shard_of = delegation.shard_of(ctx.params)
        if request.shards > 1 and shard_of is None:
            queued = delegation.queue_operations(self.uri, view, ctx.params, request.shards,
                                                 sdk.RESULT_PARAM)
            result = {"dataset": view._root_dataset.name, "queued": queued}
            if returns_result:
                return result
            return self._notify(ctx, f"Queued {len(queued)} delegated shards: run "
                                "`fiftyone delegated launch` on each worker", "info")
        session = Session(request.metric_ids, **request.session_options())
        run = session.run(view, shard_of=shard_of, should_stop=delegation.cancel_check(ctx))
        if returns_result:
            for progress in run:
                ctx.set_progress(progress.fraction, progress.label)
            return session.result
        return self._stream(ctx, session, run)

    def _stream(self, ctx, session, run):
        for progress in run:
            yield ctx.trigger("set_progress", dict(progress=progress.fraction,
                                                   label=progress.label))
        message, variant = outcome(session.result)
        yield ctx.trigger("reload_dataset")
        yield ctx.trigger("notify", dict(message=message, variant=variant))

    @staticmethod
    def _notify(ctx, message, variant):
        yield ctx.trigger("notify", dict(message=message, variant=variant))
