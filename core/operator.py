"""The thin operator every generate task derives from.

``resolve_input`` parses the params and builds the form from declarations
(:mod:`core.forms`); ``execute`` parses them with the same code the SDK uses
(:mod:`core.request`) and hands off to plain functions (:mod:`core.generate`),
or queues shards (:mod:`core.delegation`). A task sets its declarations and
says what it works on (``task_inputs``), where outputs go
(``target_dataset``) and how they are written (``make_writer``).
"""

import time

import fiftyone.operators as foo

from . import catalog, delegation, forms, generate, sdk
from .groups import NO_SOURCES, collect_sources, count_sources, output_dataset
from .plan import TaskInputs
from .request import NO_PROMPT, PROMPT_OPTIONAL, PROMPT_REQUIRED, parse
from .secrets import resolve_secrets

REFRESH_S = 10  # how often a long App run refreshes the grid as samples land

__all__ = ["GenerateOperator", "FromImagesOperator", "NO_PROMPT", "PROMPT_OPTIONAL",
           "PROMPT_REQUIRED"]


class GenerateOperator(foo.Operator):
    """Base class: subclasses set ``task``, ``default_model``, ``label``,
    ``description``, and implement :meth:`make_writer` and ``__call__``
    (the SDK call, documented per task)."""

    task = ""
    default_model = ""
    label = ""
    description = ""
    icon = "/assets/icon-light.svg"
    dark_icon = "/assets/icon-dark.svg"
    prompt_mode = PROMPT_REQUIRED
    prompt_help = "One prompt per line; each runs on every chosen model"
    noun = "output"  # what one output is called in messages ("image", "video")
    uses_view_target = False  # sources come from the selection / view / dataset

    @property
    def config(self):
        return foo.OperatorConfig(
            name=self.task,
            label=self.label,
            description=self.description,
            dynamic=True,
            execute_as_generator=True,
            allow_immediate_execution=True,
            allow_delegated_execution=True,
            light_icon=self.icon,
            dark_icon=self.dark_icon,
            view_target=self.uses_view_target,
        )

    def list_models(self):
        """The models of this task, as dicts: id, label, task, status,
        backends, parameters."""
        return [m.to_dict() for m in catalog.models(self.task)]

    def estimate_cost(self, sample_collection, prompt=None, model=None, backend=None,
                      **options):
        """What a run with these arguments (as ``__call__`` takes them) is
        expected to cost, without running it: ``{"usd", "unknown",
        "by_model", "outputs"}``. ``usd`` sums the outputs whose price is
        known per output; ``unknown`` names the models whose cost cannot be
        known before they run (no confirmed price, or billed by the second)."""
        params = sdk.params_of(model or self.default_model, prompt=prompt,
                               backend=backend, **options)
        return sdk.estimate(self, sample_collection, params)

    def parse(self, params, secrets, view=None, check_ready=True, preview=False):
        return parse(self.task, params, secrets, prompt=self.prompt_mode, view=view,
                     check_ready=check_ready, preview=preview)

    def resolve_input(self, ctx):
        secrets = resolve_secrets(ctx.secrets)
        # the App's first call comes before it fills in the form's defaults:
        # read the params as it will, so a fresh form flags no "choose a model"
        params = ctx.params if "models" in ctx.params else {
            **ctx.params, "models": [self.default_model]}
        request = self.parse(params, secrets, view=ctx.view, preview=True)
        num_sources = self.count_sources(ctx)
        if num_sources == 0:
            request.errors[None, "sources"] = NO_SOURCES
        return forms.build(self, ctx, request, secrets, num_sources)

    def execute(self, ctx):
        secrets = resolve_secrets(ctx.secrets)
        request = self.parse(ctx.params, secrets, view=ctx.view)
        if not request.valid:
            raise ValueError(request.error_text())
        returns_result = bool(ctx.delegated or ctx.params.get(sdk.RESULT_PARAM))
        shard_of = delegation.shard_of(ctx.params)
        if request.shards > 1 and shard_of is None:
            view = ctx.target_view() if self.uses_view_target else ctx.view
            queued = delegation.queue_shards(self.uri, view, ctx.params, request,
                                             sdk.RESULT_PARAM)
            return queued if returns_result else self._notify_queued(ctx, queued)

        try:
            inputs = self.task_inputs(ctx, request)
        except ValueError as e:  # nothing to work on: a sentence, not a traceback
            if returns_result:
                raise
            return self._notify(ctx, str(e), "error")
        dataset = self.target_dataset(ctx)
        run = generate.start(dataset, request, inputs,
                             self.make_writer(ctx, dataset, request), secrets,
                             shard_of=shard_of,
                             should_stop=delegation.cancel_check(ctx))
        if returns_result:
            for progress in run:
                ctx.set_progress(progress.fraction, progress.label)
            return self._finish(dataset, run, request)
        return self._stream(ctx, run, dataset, request)

    def _finish(self, dataset, run, request):
        if len(request.choices) > 1:
            self.after_comparison(dataset)
        return generate.result(dataset, run, self.task)

    def _stream(self, ctx, run, dataset, request):
        """An App run: progress (and the grid refreshed as samples land),
        then the dataset reloaded or opened, and what happened."""
        # an empty dataset takes the media type of its first samples: the App
        # opens it afresh then (a reload keeps its old, media-less state)
        was_empty = dataset.media_type is None
        refreshed = time.monotonic()
        for progress in run:
            yield ctx.trigger("set_progress", dict(progress=progress.fraction,
                                                   label=progress.label))
            if dataset.name == ctx.dataset.name and time.monotonic() - refreshed > REFRESH_S:
                refreshed = time.monotonic()
                yield ctx.trigger("reload_dataset")
        self._finish(dataset, run, request)
        message, variant = generate.outcome(run, self.noun)
        if dataset.name != ctx.dataset.name:
            message += f"; they are in the dataset {dataset.name}, now open"
            yield ctx.trigger("open_dataset", dict(dataset=dataset.name))
        elif was_empty and dataset.media_type is not None:
            yield ctx.trigger("open_dataset", dict(dataset=dataset.name))
        else:
            yield ctx.trigger("reload_dataset")
        yield ctx.trigger("notify", dict(message=message, variant=variant))

    def _notify_queued(self, ctx, result):
        return self._notify(ctx, f"Queued {len(result['queued'])} delegated shards: run "
                            "`fiftyone delegated launch` on each worker", "info")

    @staticmethod
    def _notify(ctx, message, variant):
        yield ctx.trigger("notify", dict(message=message, variant=variant))

    # what a task says ------------------------------------------------------------

    def count_sources(self, ctx):
        """How many sources each prompt runs on (for the form's summary)."""
        return 1

    def sources_problem(self, sample_collection):
        """Why an SDK call on ``sample_collection`` has nothing to work on."""
        return None

    def count_sources_of(self, sample_collection):
        """How many sources each prompt runs on in an SDK call."""
        return 1

    def task_inputs(self, ctx, request):
        """What the run works on: the request's prompts (None: no prompt)."""
        return TaskInputs(prompts=request.prompts or [None], sources=[None], unusable=[])

    def target_dataset(self, ctx):
        return ctx.dataset

    def make_writer(self, ctx, dataset, request):
        raise NotImplementedError

    def after_comparison(self, dataset):
        """Called when a run used several models."""


class FromImagesOperator(GenerateOperator):
    """Base of operators that turn selected image samples into other media
    (videos, 3D): sources come from ``ctx.target_view()`` (selection, view or
    dataset); outputs go to a grouped dataset beside their source image."""

    uses_view_target = True
    prompt_mode = PROMPT_OPTIONAL
    output_suffix = ""  # outputs of dataset "x" go to "x-<suffix>"
    output_slice = ""  # the group slice holding the output itself

    def count_sources(self, ctx):
        return count_sources(ctx.target_view(), ctx.group_slice)

    def sources_problem(self, sample_collection):
        return NO_SOURCES if count_sources(sample_collection) == 0 else None

    def count_sources_of(self, sample_collection):
        return count_sources(sample_collection)

    def task_inputs(self, ctx, request):
        sources, unusable = collect_sources(ctx.target_view(), ctx.group_slice)
        if not sources and not unusable:
            raise ValueError(NO_SOURCES)
        return TaskInputs(prompts=request.prompts or [None], sources=sources,
                          unusable=unusable)

    def target_dataset(self, ctx):
        return output_dataset(ctx.dataset, self.output_suffix, self.output_slice)
