"""The thin operator every generate task derives from.

``resolve_input`` builds the form from the catalog, ``execute`` parses params
with the same code the SDK uses and hands off to :mod:`core.jobs`, which knows
nothing of the App. Subclasses set the task, the writer and the SDK call.
"""

import logging

import fiftyone.operators as foo
import fiftyone.operators.types as types

from . import catalog, forms
from .jobs import Run, plan
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
        if delegate and not sample_collection._root_dataset.persistent:
            # a worker process would not find it: FiftyOne deletes
            # non-persistent datasets that no process holds open
            raise ValueError(
                "delegated runs need a persistent dataset: set "
                "dataset.persistent = True first"
            )
        ctx = {"view": sample_collection.view(), "params": {**params, "sdk": True}}
        return foo.execute_operator(self.uri, ctx, request_delegation=delegate)

    @staticmethod
    def sdk_params(model, prompt=None, backend=None, seed=None, num_images=None,
                   negative_prompt=None, output_dir=None, options=None, **model_options):
        """Maps the SDK's keyword arguments onto the form's params."""
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
                declared = set()
            for name, value in model_options.items():
                # an option goes to every chosen model that has it
                if name in declared or len(models) == 1:
                    own.setdefault(name, value)
            per_model[catalog.form_key(model_id)] = own
        unknown = [
            name for name in model_options
            if not any(name in own for own in per_model.values())
        ]
        if unknown:
            raise ValueError(
                f"no chosen model has option(s) {', '.join(unknown)}"
            )
        params = {"models": models, "options": per_model, "seed": seed,
                  "num_images": num_images, "negative_prompt": negative_prompt,
                  "output_dir": output_dir}
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
        request = self.parse(ctx.params, secrets)
        selected = [c.model for c in request.choices]
        self.add_inputs(ctx, inputs, request)
        forms.add_models_input(inputs, self.task, request, self.default_model)
        if self.prompt_mode != NO_PROMPT:
            prop = inputs.str(
                "prompt", label="Prompt", required=self.prompt_mode == PROMPT_REQUIRED,
                description=self.prompt_help,
                view=types.TextFieldView(multiline=True, rows=3),
            )
            forms.flag(prop, request.errors.get("prompt"))
        forms.add_run_options(inputs, request, selected)
        forms.add_model_sections(inputs, ctx.params, secrets, request, selected)
        inputs.str("output_dir", label="Output folder",
                   description="Where files are written; blank for "
                   "<FiftyOne dataset dir>/multigen/<dataset>")
        forms.add_summary(inputs, request, self.count_inputs(ctx))
        return types.Property(inputs, view=types.View(label=self.label))

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
        dataset = self.target_dataset(ctx)
        writer = self.make_writer(ctx, dataset, request)
        inputs = self.inputs_of(ctx, request)
        problems = inputs.pop("problems", [])
        items = plan(request.choices, seed=request.seed, **inputs)
        run = Run(items, secrets, writer)
        run.failed.extend(problems)
        if ctx.delegated or ctx.params.get("sdk"):
            return self._run_to_result(ctx, run, dataset, request)
        return self._run_streaming(ctx, run, dataset, request)

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
