"""Building the App form of a generate operator from the catalog.

Every input comes from a model declaration; values are checked with the same
``request.parse`` the SDK and ``execute`` use, and problems are flagged on
the input they concern before anything runs.
"""

import fiftyone.operators.types as types

from . import catalog, params as P
from .backends.diffusers_local import gpu_present
from .jobs import count_outputs, plan
from .request import RUN_OPTIONS, default_backend


def model_choice_label(model):
    if model.retired:
        return f"{model.label} (retired {model.retired_on}: use {model.successor})"
    return model.label


def add_models_input(inputs, task, request, default_model):
    view = types.AutocompleteView(
        allow_user_input=False, allow_duplicates=False,
        filter_selected_options=True,
    )
    for model in catalog.models(task):
        kinds = ", ".join(b.label for b in model.backends)
        view.add_choice(model.id, label=model_choice_label(model),
                        description=f"{model.summary} [{kinds}]".strip())
    prop = inputs.list(
        "models", types.String(), label="Models", default=[default_model],
        description="One model, or several to compare them side by side "
        "(same prompts or images, same seed)",
        view=view, required=True,
    )
    flag(prop, request.errors.get("models"))


def add_run_options(inputs, request, selected):
    """The options asked once per run: negative prompt, images, seed."""
    declared = {p.name: p for m in selected for p in m.all_params}
    for name in RUN_OPTIONS:
        if name not in declared:
            continue
        param = declared[name]
        if name == "num_images":
            # the smallest maximum among the chosen models
            param = param.with_(max=min(
                p.max for m in selected for p in m.all_params if p.name == name
            ))
        prop = add_param(inputs, param, name)
        flag(prop, request.errors.get(name) or next(
            (msg for key, msg in request.errors.items()
             if key.endswith(f".{name}")), None))


def add_model_sections(inputs, params, secrets, request, selected):
    """One section per chosen model: its backend and its own options."""
    options = types.Object()
    chosen = params.get("options") or {}
    for model in selected:
        section = types.Object()
        own = chosen.get(catalog.form_key(model.id)) or {}
        backend = _chosen_backend(model, own.get("backend"), secrets)
        _add_backend_input(section, model, backend, secrets, request)
        for param in model.params_for(backend.kind):
            if param.name in RUN_OPTIONS:
                continue
            prop = add_param(section, param, param.name)
            flag(prop, request.errors.get(f"{model.id}.{param.name}"))
        options.define_property(catalog.form_key(model.id), section, label=model.label,
                                description=model.summary)
    inputs.define_property("options", options, label="Model options")


def _chosen_backend(model, kind, secrets):
    try:
        return model.backend(kind) if kind else default_backend(model, secrets)
    except ValueError:
        return default_backend(model, secrets)


def _add_backend_input(section, model, backend, secrets, request):
    choices = types.Dropdown()
    for spec in model.backends:
        fixes = spec.missing(secrets)
        note = f"needs: {'; '.join(fixes)}" if fixes else f"ready ({spec.ref})"
        if spec.notes(secrets):
            note += "; " + "; ".join(spec.notes(secrets))
        if spec.kind == "diffusers" and not fixes and not gpu_present():
            note += "; no GPU found, so this runs slowly on the CPU"
        choices.add_choice(spec.kind, label=spec.label, description=note)
    prop = section.enum(
        "backend", choices.values(), default=backend.kind, label="Run on",
        description="Where this model runs", view=choices,
    )
    flag(prop, request.errors.get(f"{model.id}.backend"))


def add_param(inputs, param, name):
    """One input for ``param``, with its range, default and help."""
    kwargs = dict(label=param.title, description=_describe(param),
                  default=param.default)
    if param.type == P.INT:
        return inputs.int(name, min=param.min, max=param.max, **kwargs)
    if param.type == P.FLOAT:
        return inputs.float(name, min=param.min, max=param.max, **kwargs)
    if param.type == P.BOOL:
        return inputs.bool(name, **kwargs)
    if param.type == P.CHOICE:
        view = types.Dropdown()
        for choice in param.choices:
            view.add_choice(choice, label=str(choice))
        return inputs.enum(name, list(param.choices), view=view, **kwargs)
    return inputs.str(name, **kwargs)


def _describe(param):
    text = param.help
    span = param.describe_range()
    if span and param.type != P.CHOICE:
        text = f"{text} ({span})" if text else span
    return text


def flag(prop, message):
    if message:
        prop.invalid = True
        prop.error_message = message


def where(key):
    """A problem's place as the form names it: "Prompt", or a model's
    label and the option's label ("gpt-image-2 › Run on"), not the internal
    key ("gpt-image-2.backend")."""
    run_level = {"models": "Models", "prompt": "Prompt", "seed": P.SEED.title}
    if key in run_level or "." not in key:
        return run_level.get(key, key.replace("_", " ").capitalize())
    model_id, name = key.rsplit(".", 1)  # ids may hold dots (sd3.5-large)
    try:
        model = catalog.get(model_id)
    except ValueError:
        return key
    titles = {p.name: p.title for p in model.all_params}
    return f"{model.label} › {'Run on' if name == 'backend' else titles.get(name, name)}"


def add_summary(inputs, request, prompts, num_sources=1):
    """Says how many outputs the run will make before it starts."""
    if not request.valid:
        inputs.view("problems", types.Error(
            label="Fix these before running",
            description="; ".join(f"{where(key)}: {message}"
                                  for key, message in request.errors.items())))
        return
    total = num_sources * count_outputs(plan(request.choices, prompts or [None], seed=0))
    models = ", ".join(c.model.label for c in request.choices)
    inputs.view("summary", types.Notice(
        label=f"This run makes {total} output{'s' if total != 1 else ''} "
        f"with {models}"))
