"""The thin operator every generate task derives from.

``resolve_input`` builds the form from the catalog, ``execute`` parses params
with the same code the SDK uses and hands off to :mod:`core.jobs`, which knows
nothing of the App. Subclasses set the task, the writer and the SDK call.
"""

import asyncio
import logging

import fiftyone.operators as foo
import fiftyone.operators.types as types

from . import catalog, forms
from .jobs import Run, plan, random_seed, shard, without_existing
from .groups import collect_sources, output_dataset
from .request import NO_PROMPT, PROMPT_OPTIONAL, PROMPT_REQUIRED, parse
from .secrets import resolve_secrets

logger = logging.getLogger(__name__)


class GenerateOperator(foo.Operator):
    """Base class: subclasses set ``task``, ``default_model``, ``label``,
    ``description``, ``icon`` and implement :meth:`make_writer` and
    :meth:`inputs_of` (prompts or source samples)."""

    prompt_mode = PROMPT_REQUIRED

    task = ""
    default_model = ""
    label = ""
    description = ""
    icon = "/assets/icon-light.svg"
    dark_icon = "/assets/icon-dark.svg"
    uses_view_target = False
    prompt_help = "One prompt per line; each runs on every chosen model"

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

    # SDK -----------------------------------------------------------------------

    def list_models(self):
        """The models of this task, as dicts: id, label, task, status,
        backends, parameters."""
        return [m.to_dict() for m in catalog.models(self.task)]

    def run_sdk(self, sample_collection, params, delegate):
        """Validates ``params`` like the form does (raising ``ValueError``
        with every problem), then executes, immediately or queued for
        ``fiftyone delegated launch``."""
        request = self.parse(params, resolve_secrets(), check_ready=not delegate)
        if not request.valid:
            raise ValueError(request.error_text())
        if int(params.get("shards") or 1) > 1:
            if not delegate:
                raise ValueError("shards split a delegated run: pass delegate=True")
            delegate = False  # this call only queues the shards
        if int(params.get("shards") or 1) > 1 or delegate:
            require_persistent(sample_collection)
        ctx = {"view": sample_collection.view(), "params": {**params, "sdk": True}}
        result = foo.execute_operator(self.uri, ctx, request_delegation=delegate)
        if isinstance(result, asyncio.Task):
            # in a running event loop (Jupyter) FiftyOne returns a task whose
            # result carries errors silently: raise them on await, as a
            # plain call raises them
            return asyncio.ensure_future(_raising(result))
        return result

    @staticmethod
    def sdk_params(model, prompt=None, backend=None, seed=None, num_images=None,
                   negative_prompt=None, output_dir=None, options=None,
                   prompts_file=None, prompt_field=None, shards=None, **model_options):
        """Maps the SDK's keyword arguments onto the form's params."""
        params = model_params(model, backend, options, model_options)
        params.update(seed=seed, num_images=num_images, negative_prompt=negative_prompt,
                      output_dir=output_dir, prompts_file=prompts_file,
                      prompt_field=prompt_field, shards=shards)
        if prompt is not None:
            params["prompt"] = prompt if isinstance(prompt, str) else "\n".join(prompt)
        return {k: v for k, v in params.items() if v is not None}

    # App -----------------------------------------------------------------------

    def parse(self, params, secrets, check_ready=True):
        return parse(self.task, params, secrets, prompt=self.prompt_mode,
                     check_ready=check_ready)

    def resolve_input(self, ctx):
        inputs = types.Object()
        secrets = resolve_secrets(ctx.secrets)
        # the App's first call comes before it fills in the form's defaults:
        # read the params as it will, so a fresh form flags no "choose a model"
        params = ctx.params if "models" in ctx.params else {
            **ctx.params, "models": [self.default_model]}
        request = self.parse(params, secrets)
        selected = [c.model for c in request.choices]
        self.add_inputs(ctx, inputs, request)
        forms.add_models_input(inputs, self.task, request, self.default_model)
        if self.prompt_mode != NO_PROMPT:
            prop = inputs.str(
                "prompt", label="Prompt",
                required=self.prompt_mode == PROMPT_REQUIRED and not (
                    ctx.params.get("prompts_file") or ctx.params.get("prompt_field")),
                description=self.prompt_help,
                view=types.TextFieldView(multiline=True, rows=3),
            )
            forms.flag(prop, request.errors.get("prompt"))
        prompts = list(request.prompts)
        if self.prompt_mode != NO_PROMPT:
            prompts += self.add_prompt_sources(ctx, inputs, request)
        forms.add_run_options(inputs, request, selected)
        forms.add_model_sections(inputs, params, secrets, request, selected)
        inputs.str("output_dir", label="Output folder",
                   description="Where files are written; blank for "
                   "<FiftyOne dataset dir>/multigen/<dataset>")
        inputs.int("shards", label="Shards", default=1, min=1, max=64,
                   description="Split a delegated run into this many operations, "
                   "one per `fiftyone delegated launch` worker (GPU or machine)")
        forms.add_summary(inputs, request, prompts, self.count_inputs(ctx))
        return types.Property(inputs, view=types.View(label=self.label))

    def add_prompt_sources(self, ctx, inputs, request):
        """Prompts from a file or from a string field of the samples; returns
        the prompts the field adds (for the run summary)."""
        prop = inputs.str("prompts_file", label="Prompts file",
                          description="A .txt (one prompt per line) or .csv "
                          "(a 'prompt' column) file on the server")
        forms.flag(prop, request.errors.get("prompts_file"))
        fields = sorted(name for name, field in ctx.view.get_field_schema().items()
                        if type(field).__name__ == "StringField" and name != "filepath")
        if not fields:
            return []
        prop = inputs.enum("prompt_field", fields, label="Prompts from a field",
                           description="Use each sample's value of this field "
                           "as a prompt (captions, for example)",
                           view=types.Dropdown())
        field = ctx.params.get("prompt_field")
        return prompts_from_field(ctx.view, field) if field in fields else []

    def add_inputs(self, ctx, inputs, request):
        """Task-specific inputs placed before the models (source samples)."""

    def count_inputs(self, ctx):
        """How many inputs (prompts are counted by the request; sources here)."""
        return 1

    def execute(self, ctx):
        secrets = resolve_secrets(ctx.secrets)
        request = self.parse(ctx.params, secrets)
        if not request.valid:
            raise ValueError(request.error_text())
        shards = int(ctx.params.get("shards") or 1)
        if shards > 1 and ctx.params.get("shard") is None:
            result = queue_shards(self, ctx, request, shards)
            return result if self.returns_result(ctx) else self._notify_queued(ctx, result)

        dataset = self.target_dataset(ctx)
        writer = self.make_writer(ctx, dataset, request)
        inputs = self.inputs_of(ctx, request)
        problems = inputs.pop("problems", [])
        if ctx.params.get("prompt_field"):
            inputs["prompts"] = [p for p in inputs["prompts"] if p] + prompts_from_field(
                ctx.view, ctx.params["prompt_field"])
        items = plan(request.choices, seed=request.seed, **inputs)
        if ctx.params.get("shard") is not None:
            items = shard(items, *ctx.params["shard"])
        items, skipped = without_existing(items, existing_item_keys(dataset))
        run = Run(items, secrets, writer, should_stop=cancel_check(ctx))
        run.failed.extend(problems)
        run.skipped = skipped
        if self.returns_result(ctx):
            return self._run_to_result(ctx, run, dataset, request)
        return self._run_streaming(ctx, run, dataset, request)

    @staticmethod
    def returns_result(ctx):
        """SDK calls and delegated runs return a result; App runs stream
        progress to the browser instead."""
        return bool(ctx.delegated or ctx.params.get("sdk"))

    def _notify_queued(self, ctx, result):
        yield ctx.trigger("notify", dict(
            message=f"Queued {len(result['queued'])} delegated shards: run "
            "`fiftyone delegated launch` on each worker", variant="info"))

    def _run_to_result(self, ctx, run, dataset, request):
        for progress in run:
            ctx.set_progress(progress.fraction, progress.label)
        return self.finish(dataset, run, request)

    def _run_streaming(self, ctx, run, dataset, request):
        for progress in run:
            yield ctx.trigger("set_progress", dict(progress=progress.fraction,
                                                   label=progress.label))
        result = self.finish(dataset, run, request)
        if dataset.name != ctx.dataset.name:
            yield ctx.trigger("open_dataset", dict(dataset=dataset.name))
        else:
            yield ctx.trigger("reload_dataset")
        made = len(result["sample_ids"])
        message = f"Generated {made} sample{'s' if made != 1 else ''}"
        if result["failed"]:
            message += f"; {len(result['failed'])} failed: " + "; ".join(
                f"{f.get('model') or f.get('source_id')}: {f['error']}"
                for f in result["failed"][:3])
        yield ctx.trigger("notify", dict(
            message=message, variant="warning" if result["failed"] else "success"))

    def finish(self, dataset, run, request):
        for failure in run.failed:
            logger.warning("multigen %s failed: %s", self.task, failure)
        if len(request.choices) > 1:
            self.after_comparison(dataset)
        return {
            "dataset": dataset.name,
            "sample_ids": list(run.writer.sample_ids),
            "failed": run.failed,
            "skipped": run.skipped,
            "cancelled": run.cancelled,
        }

    # hooks for tasks -------------------------------------------------------------

    def target_dataset(self, ctx):
        return ctx.dataset

    def make_writer(self, ctx, dataset, request):
        raise NotImplementedError

    def inputs_of(self, ctx, request):
        """``plan()``'s inputs: ``prompts`` and/or ``sources``, plus
        ``problems`` (inputs that cannot be used, reported as failed)."""
        return {"prompts": request.prompts or [None]}

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

    def count_inputs(self, ctx):
        return len(ctx.target_view())

    def inputs_of(self, ctx, request):
        sources, problems = collect_sources(ctx.target_view())
        if not sources and not problems:
            raise ValueError("there are no samples to use: select image samples "
                             "or choose a view that has some")
        return {"sources": sources, "prompts": request.prompts or [None],
                "problems": problems}

    def target_dataset(self, ctx):
        return output_dataset(ctx.dataset, self.output_suffix, self.output_slice)


async def _raising(task):
    result = await task
    result.raise_exceptions()
    return result


def model_params(model, backend, options, model_options):
    """The ``models`` and per-model ``options`` params of an SDK call: each
    keyword option goes to every chosen model that has it."""
    models = [model] if isinstance(model, str) else list(model or [])
    per_model = {}
    for model_id in models:
        own = dict((options or {}).get(model_id, {}))
        kind = backend.get(model_id) if isinstance(backend, dict) else backend
        if kind:
            own["backend"] = kind
        try:
            declared = {p.name for p in catalog.get(model_id).all_params}
        except ValueError:
            declared = set()  # request.parse reports the unknown model
        for name, value in model_options.items():
            if name in declared or len(models) == 1:
                own.setdefault(name, value)
        per_model[catalog.form_key(model_id)] = own
    unknown = [name for name in model_options
               if not any(name in own for own in per_model.values())]
    if unknown:
        raise ValueError(f"no chosen model has option(s) {', '.join(unknown)}")
    return {"models": models, "options": per_model}


def require_persistent(sample_collection):
    # a worker process would not find it: FiftyOne deletes non-persistent
    # datasets that no process holds open
    if not sample_collection._root_dataset.persistent:
        raise ValueError("delegated runs need a persistent dataset: set "
                         "dataset.persistent = True first")


def prompts_from_field(view, field):
    """Prompts from a string field of the view's samples (captions...)."""
    if not view.has_field(field):
        raise ValueError(f"the samples have no field {field!r} to read prompts from")
    return [v.strip() for v in view.values(field) if isinstance(v, str) and v.strip()]


def existing_item_keys(dataset):
    """The output keys already in ``dataset``, so a re-run skips them."""
    import fiftyone.core.media as fom

    if not dataset.has_field("generation"):
        return set()
    if not dataset.has_field("generation.item_key"):
        # a worker killed between adding samples and declaring their fields
        dataset.add_dynamic_sample_fields()
        if not dataset.has_field("generation.item_key"):
            return set()
    # _allow_mixed: the slices hold images beside videos or 3D scenes
    view = (dataset.select_group_slices(_allow_mixed=True)
            if dataset.media_type == fom.GROUP else dataset)
    return set(view.distinct("generation.item_key"))


def cancel_check(ctx):
    """For a delegated run: a function telling whether someone marked it
    failed (``fiftyone delegated fail ID``), which cancels it cleanly."""
    op_id = getattr(ctx, "_delegated_operation_id", None)
    if not ctx.delegated or not op_id:
        return None
    from fiftyone.operators.delegated import DelegatedOperationService
    from fiftyone.operators.executor import ExecutionRunState

    service = DelegatedOperationService()

    def cancelled():
        doc = service.get(op_id)
        return doc is not None and doc.run_state == ExecutionRunState.FAILED

    return cancelled


def queue_shards(operator, ctx, request, count):
    """Queues ``count`` delegated operations, each generating one shard of
    the run, for several ``fiftyone delegated launch`` workers. One seed
    serves all shards so they form one run."""
    seed = request.seed if request.seed is not None else random_seed()
    view = ctx.target_view() if operator.uses_view_target else ctx.view
    queued = []
    for index in range(count):
        params = {**ctx.params, "shard": [index, count], "seed": seed, "sdk": True}
        params.pop("view_target", None)
        result = foo.execute_operator(operator.uri, {"view": view, "params": params},
                                      request_delegation=True)
        queued.append(str(result.result["id"]))
    return {"dataset": ctx.dataset.name, "sample_ids": [], "failed": [],
            "queued": queued, "seed": seed}
