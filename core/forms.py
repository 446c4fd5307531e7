"""The App form of a generate operator, built in one place from the catalog.

Every input comes from a declaration (a task's prompt mode, a model's
options); values are checked with the same ``request.parse`` the SDK and
``execute`` use, and problems are flagged on the input they concern before
anything runs.
"""

import fiftyone.operators.types as types

from . import catalog, metrics, params as P, templates
from .backends.diffusers_local import gpu_present
from .plan import count_outputs, plan
from .pricing import estimate_items, usd
from .request import NO_PROMPT, PROMPT_REQUIRED, default_backend


def build(operator, ctx, request, secrets, num_sources=1):
    """The whole form: task inputs, models, prompts, run options, each
    model's section, output folder, shards and a summary of the run."""
    inputs = types.Object()
    selected = [c.model for c in request.choices]
    if (None, "sources") in request.errors:  # nothing to work on: Execute stays off
        prop = inputs.str("sources", label="Source images", default="none",
                          view=types.View(read_only=True))
        flag(prop, request.errors[None, "sources"])
    add_models_input(inputs, operator.task, request, operator.default_model)
    if operator.prompt_mode != NO_PROMPT:
        add_prompt_inputs(inputs, ctx, operator, request)
    add_run_options(inputs, request, selected)
    add_model_sections(inputs, ctx.params, secrets, request, selected)
    prop = inputs.str("output_dir", label="Output folder",
                      description="Where files are written (an absolute path on the "
                      "server); blank for <FiftyOne dataset dir>/multigen/<dataset>")
    flag(prop, request.errors.get((None, "output_dir")))
    add_param(inputs, P.TIMEOUT, P.TIMEOUT.name)
    prop = add_param(inputs, P.MAX_COST, P.MAX_COST.name)
    flag(prop, request.errors.get((None, P.MAX_COST.name)))
    add_param(inputs, P.EMBED_PROVENANCE, P.EMBED_PROVENANCE.name)
    add_score_input(inputs, request)
    inputs.int("shards", label="Shards", default=1, min=1, max=64,
               description="Split a delegated run into this many operations, "
               "one per `fiftyone delegated launch` worker (GPU or machine)")
    add_summary(inputs, request, num_sources)
    return types.Property(inputs, view=types.View(label=operator.label))


def model_choice_label(model):
    return f"{model.label} ({model.lifecycle})" if model.lifecycle else model.label


def add_models_input(inputs, task, request, default_model):
    view = types.AutocompleteView(
        allow_user_input=False, allow_duplicates=False,
        filter_selected_options=True,
    )
    for model in catalog.models(task):
        kinds = ", ".join(b.label for b in model.backends)
        view.add_choice(model.id, label=model_choice_label(model),
                        description=f"{model.description} [{kinds}]".strip())
    prop = inputs.list(
        "models", types.String(), label="Models", default=[default_model],
        description="One model, or several to compare them side by side "
        "(same prompts or images, same seed)",
        view=view, required=True,
    )
    flag(prop, request.errors.get((None, "models")))


def add_prompt_inputs(inputs, ctx, operator, request):
    """The prompt box, a prompts file, and a string field of the samples."""
    params = ctx.params
    prop = inputs.str(
        "prompt", label="Prompt",
        required=operator.prompt_mode == PROMPT_REQUIRED and not (
            params.get("prompts_file") or params.get("prompt_field")),
        description=operator.prompt_help,
        view=types.TextFieldView(multiline=True, rows=3),
    )
    flag(prop, request.errors.get((None, "prompt")))
    prop = inputs.str("prompts_file", label="Prompts file",
                      description="A .txt (one prompt per line) or .csv "
                      "(a 'prompt' column) file on the server; lines may be templates")
    flag(prop, request.errors.get((None, "prompts_file")))
    if _uses_templates(params, request):
        add_template_inputs(inputs, params, request)
    fields = sorted(name for name, field in ctx.view.get_field_schema().items()
                    if type(field).__name__ == "StringField" and name != "filepath")
    if fields:
        prop = inputs.enum("prompt_field", fields, label="Prompts from a field",
                           description="Use each sample's value of this field "
                           "as a prompt (captions, for example)",
                           view=types.Dropdown())
        flag(prop, request.errors.get((None, "prompt_field")))


def _uses_templates(params, request):
    """Template inputs show once a prompt is a template (or was set up)."""
    return bool(request.templates or any(
        params.get(p.name) not in (None, "", p.default) for p in P.TEMPLATE_PARAMS)
        or any(key in request.errors for key in
               ((None, p.name) for p in P.TEMPLATE_PARAMS)))


def add_template_inputs(inputs, params, request):
    """How templates expand: every combination or random draws, and the
    wildcards folder."""
    mode = P.TEMPLATE_MODE
    view = types.RadioGroup(orientation="horizontal")
    for choice, label in ((templates.COMBINATORIAL, "Every combination"),
                          (templates.RANDOM, "Random"),
                          (templates.LITERAL, "Off (literal)")):
        view.add_choice(choice, label=label)
    prop = inputs.enum(mode.name, list(mode.choices), default=mode.default,
                       label=mode.title, view=view,
                       description=f"{mode.help}. Every combination makes at most "
                       f"{templates.MAX_COMBINATIONS:,} prompts")
    flag(prop, request.errors.get((None, mode.name)))
    if (params.get(mode.name) or mode.default) == templates.RANDOM:
        prop = add_param(inputs, P.NUM_PROMPTS, P.NUM_PROMPTS.name)
        flag(prop, request.errors.get((None, P.NUM_PROMPTS.name)))
    prop = add_param(inputs, P.WILDCARDS_DIR, P.WILDCARDS_DIR.name)
    flag(prop, request.errors.get((None, P.WILDCARDS_DIR.name)))


def add_run_options(inputs, request, selected):
    """The options asked once per run (negative prompt, images, seed): the
    chosen models' options whose scope is the run or the plan."""
    asked = {}
    for model in selected:
        for param in model.all_params:
            if param.scope != P.MODEL:
                asked.setdefault(param.name, []).append(param)
    for name, declared in asked.items():
        param = declared[0]
        if name == P.NUM_IMAGES.name:  # the smallest maximum among the models
            param = param.with_(max=min(p.max for p in declared))
        prop = add_param(inputs, param, name)
        flag(prop, request.errors.get((None, name)) or next(
            (msg for (model_id, option), msg in request.errors.items()
             if model_id is not None and option == name), None))


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
            if param.scope != P.MODEL:
                continue
            prop = add_param(section, param, param.name)
            flag(prop, request.errors.get((model.id, param.name)))
        options.define_property(catalog.form_key(model.id), section,
                                label=model_choice_label(model),
                                description=model.description)
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
    flag(prop, request.errors.get((model.id, "backend")))


def add_score_input(inputs, request):
    """Metrics that score each output as it is written (declared in the
    scores package, registered in :mod:`core.metrics`)."""
    declared = metrics.metrics()
    if not declared:
        return
    view = types.AutocompleteView(allow_user_input=False, allow_duplicates=False,
                                  filter_selected_options=True)
    for metric in declared:
        view.add_choice(metric.id, label=metric.label, description=metric.measures)
    prop = inputs.list("score", types.String(), label="Score as you generate",
                       description="Metrics written on each output as it lands "
                       "(scores.<metric>); blank for none", view=view)
    flag(prop, request.errors.get((None, "score")))


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
    return inputs.str(name, **kwargs)  # text, and JSON as text


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


def where(model_id, name):
    """A problem's place as the form names it: "Prompt", or a model's label
    and the option's label ("gpt-image-2 › Run on")."""
    if model_id is None:
        return {"models": "Models", "seed": P.SEED.title}.get(
            name, name.replace("_", " ").capitalize())
    try:
        model = catalog.get(model_id)
    except ValueError:
        return f"{model_id} › {name}"
    titles = {p.name: p.title for p in model.all_params}
    return f"{model.label} › {'Run on' if name == 'backend' else titles.get(name, name)}"


def add_summary(inputs, request, num_sources=1):
    """Says how many outputs the run will make, and what it is expected to
    cost (:mod:`core.pricing`), before it starts."""
    if not request.valid:
        inputs.view("problems", types.Error(
            label="Fix these before running",
            description="; ".join(f"{where(*key)}: {message}"
                                  for key, message in request.errors.items())))
        return
    items = plan(request.choices, request.prompts or [None], seed=0)
    total = num_sources * count_outputs(items)
    models = ", ".join(c.model.label for c in request.choices)
    label = f"This run makes {total} output{'s' if total != 1 else ''} with {models}"
    if request.templates:
        made = len(request.expansions)
        label += (f"; {request.templates} template{'s' if request.templates > 1 else ''} "
                  f"expand{'' if request.templates > 1 else 's'} to {made} "
                  f"prompt{'s' if made != 1 else ''}")
    if request.shards > 1:
        label += (f", queued as {request.shards} delegated operations (one per "
                  "`fiftyone delegated launch` worker) instead of running now")
    cost = estimate_items(items, num_sources)
    if cost.text:
        label += f"; {cost.text}"
    if request.max_cost is not None:
        label += f"; it stops starting new items once it has cost {usd(request.max_cost)}"
        if cost.unknown:
            label += " (outputs of unknown cost count nothing against it)"
    inputs.view("summary", types.Notice(label=label))
