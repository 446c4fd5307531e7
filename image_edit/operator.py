"""The ``imgedit`` operator: selected images x models -> edits (variations,
instruction edits, inpainting from the samples' labels), into a grouped
dataset beside the sources or, as augmentation, into the source dataset."""

import os

import fiftyone.operators.types as types

from ..core import media, sdk
from ..core.call_docs import documented
from ..core.operator import FromImagesOperator
from ..core.params import BOOL, CHOICE, Param
from ..core.plan import TaskInputs
from ..core.groups import NO_SOURCES, output_dataset
from ..core import forms
from . import sources
from .modes import MASK_FIELD
from .writer import EDIT_SLICE, AugmentWriter, EditWriter

GROUPED, AUGMENT = "grouped", "augment"
OUTPUT = Param(
    "output", CHOICE, default=GROUPED, choices=(GROUPED, AUGMENT), label="Edits go to",
    help="grouped: a dataset <name>-edits, each edit beside its source; augment: "
    "new samples of this dataset, tagged 'augmented', with the source's labels")
DROP_REPLACED = Param(
    "drop_replaced_labels", BOOL, default=False, label="Drop replaced labels",
    help="Inpainting: leave out the copied labels of the masked classes (they were "
    "repainted)")
RUN_INPUTS = (OUTPUT, DROP_REPLACED)


class EditImages(FromImagesOperator):
    task = "imgedit"
    noun = "edit"
    default_model = "sd15-edit"
    label = "Edit images"
    description = ("Edit selected images: variations, instruction edits, or inpainting "
                   "masks taken from their labels, with their labels carried over")
    prompt_help = ("What the edit should show or change, one prompt per line (each runs "
                   "on every image): e.g. 'a snowy street', 'make it night'")
    output_suffix = "edits"
    output_slice = EDIT_SLICE

    @documented
    def __call__(self, sample_collection, model="sd15-edit", prompt=None, mode=None,
                 backend=None, seed=None, output="grouped", drop_replaced_labels=False,
                 output_dir=None, delegate=False, **model_options):
        """Edits each image sample of ``sample_collection``.

        Args:
            sample_collection: a dataset or view (a selection, say); its image
                samples are the sources (others are reported in ``failed``)
            model: a model id, or a list of ids (``list_models()``)
            prompt (None): what to show or change, or a list of prompts (each
                runs on every image); instruction models need one
            mode (None): ``variation`` (img2img with ``strength``),
                ``instruct`` (the prompt says what to change) or ``inpaint``
                (repaint a mask from ``mask_field``); default: the model's first
            backend (None): ``diffusers``, ``openai``, ``stability`` or
                ``replicate``, or a {model: backend} dict
            seed (None): a seed for reproducible edits (recorded on each edit)
            output ("grouped"): ``grouped``: a grouped dataset
                ``<name>-edits`` (slices ``image`` and ``edit``); ``augment``:
                new samples in the source dataset, tagged ``augmented``, with
                ``source_id`` and the source's labels (when the size is kept)
            drop_replaced_labels (False): inpainting: leave out copied labels
                of the masked classes
            output_dir (None): where files go
            {templates}
            {run_options}
            **model_options: ``strength``, ``mask_field``, ``mask_classes``
                (a list or "a, b"), ``mask_margin``, ``invert_mask``,
                ``num_images``, ``num_inference_steps``...

        Returns:
            an ExecutionResult whose ``result`` is ``{"dataset", "sample_ids",
            "failed", "skipped", "cancelled", "cost_usd", "score_failed"}``
        """
        if isinstance(model_options.get("mask_classes"), (list, tuple)):
            model_options["mask_classes"] = ", ".join(map(str, model_options["mask_classes"]))
        params = sdk.params_of(model, prompt=prompt, backend=backend, seed=seed,
                               output_dir=output_dir, **model_options)
        if mode is not None:
            params["mode"] = mode
        params.update(output=output, drop_replaced_labels=drop_replaced_labels)
        return sdk.call(self, sample_collection, params, delegate)

    def parse(self, params, secrets, view=None, check_ready=True, preview=False):
        request = super().parse(params, secrets, view=view, check_ready=check_ready,
                                preview=preview)
        for param in RUN_INPUTS:
            try:
                param.coerce(params.get(param.name))
            except ValueError as e:
                request.errors[None, param.name] = str(e)
        if view is not None:
            if params.get(OUTPUT.name) == AUGMENT and view._root_dataset.media_type == "group":
                request.errors[None, OUTPUT.name] = (
                    "augment adds image samples to an image dataset; this one is grouped: "
                    "choose grouped")
            problem = sources.field_problem(view, sources.mask_spec(request))
            if problem:
                request.errors[None, "mask_field"] = problem
        return request

    def resolve_input(self, ctx):
        form = super().resolve_input(ctx)
        inputs = form.type
        props = inputs.properties
        if MASK_FIELD.name in props:  # a choice of the fields a mask can come from
            choices = sources.mask_fields(ctx.dataset)
            if choices:
                old = props[MASK_FIELD.name]
                view = types.Dropdown()
                for name in choices:
                    view.add_choice(name, label=name)
                prop = inputs.enum(MASK_FIELD.name, choices, view=view,
                                   label=MASK_FIELD.title, description=MASK_FIELD.help)
                forms.flag(prop, getattr(old, "error_message", None)
                           if getattr(old, "invalid", False) else None)
        # the edit's own run inputs go with the run's options, before each
        # model's section (the summary stays near the top, as in every form)
        after = {}
        if "options" in props:
            keys = list(props)
            after = {k: props.pop(k) for k in keys[keys.index("options"):]}
        for param in RUN_INPUTS:
            forms.add_param(inputs, param, ctx.params)
        props.update(after)
        return form

    def task_inputs(self, ctx, request):
        masks_dir = os.path.join(request.output_dir or media.default_output_dir(
            ctx.dataset.name), sources.MASKS_FOLDER)
        found, unusable = sources.collect(ctx.target_view(), ctx.group_slice, request,
                                          masks_dir)
        if not found and not unusable:
            raise ValueError(NO_SOURCES)
        return TaskInputs(prompts=request.prompts or [None], sources=found,
                          unusable=unusable)

    def target_dataset(self, ctx):
        if ctx.params.get(OUTPUT.name) == AUGMENT:
            return ctx.dataset
        return output_dataset(ctx.dataset, self.output_suffix, self.output_slice)

    def make_writer(self, ctx, dataset, request):
        drop = bool(ctx.params.get(DROP_REPLACED.name))
        if ctx.params.get(OUTPUT.name) == AUGMENT:
            return AugmentWriter(dataset, request.output_dir,
                                 embed_provenance=request.embed_provenance,
                                 drop_replaced=drop)
        return EditWriter(dataset, request.output_dir, source_dataset=ctx.dataset.name,
                          embed_provenance=request.embed_provenance, drop_replaced=drop)
