"""The App form of a generate operator, built in one place from the catalog.

Every input comes from a declaration (a task's prompt mode, a model's
options, the run's own inputs in :mod:`core.params`); values are checked
with the same ``request.parse`` the SDK and ``execute`` use, and problems
are flagged on the input they concern before anything runs, in the words
the form uses (its labels, not option names).

The form reads top to bottom as a person decides: what to run (models,
prompts), what the run will do (its summary, or what to fix), the options
asked once for the run, each model's own options, and an "Advanced" section
(folded) for what one rarely changes. A fresh form flags nothing: an input
that is only empty (no prompt yet) is named in the summary, not in red.

Every input's default is the value the form last held (``params``): a
fresh form starts from the settings remembered for the dataset
(:mod:`core.remembered`), and a default equal to the current value changes
nothing the person typed.
"""

import fiftyone.operators.types as types

from . import catalog, metrics, params as P, templates
from .backends.diffusers_local import gpu_present
from .plan import count_outputs, plan
from .pricing import estimate_items, usd
from .request import NO_PROMPT, PROMPT_REQUIRED, default_backend

# problems a fresh form only names in its summary (nothing typed is wrong)
UNTOUCHED = {"prompt": "enter a prompt (one per line for several)"}
HALF = 6  # of 12 columns: short inputs two to a row


def build(operator, ctx, request, secrets, num_sources=1, params=None):
    """The whole form: models and prompts, the run's summary, run options,
    each model's section, then the Advanced section."""
    params = ctx.params if params is None else params
    inputs = types.Object()
    selected = [c.model for c in request.choices]
    shown = dict(request.errors)  # what is flagged on inputs
    for name in UNTOUCHED:
        if params.get(name) is None and not _advanced(params).get(name):
            shown.pop((None, name), None)
    if (None, "sources") in request.errors:  # nothing to work on: Execute stays off
        prop = inputs.str("sources", label="Source images", default="none",
                          view=types.View(read_only=True))
        _flag(prop, request.errors[None, "sources"])
    add_models_input(inputs, operator.task, request, params,
                     operator.default_model_for(secrets), secrets)
    if operator.prompt_mode != NO_PROMPT:
        add_prompt_inputs(inputs, ctx, operator, request, params, shown)
    add_summary(inputs, request, num_sources)
    add_run_options(inputs, request, selected, params)
    add_score_input(inputs, request, params)
    add_model_sections(inputs, params, secrets, request, selected)
    add_advanced(inputs, params, request)
    return types.Property(inputs, view=types.View(label=operator.label))


# models -------------------------------------------------------------------------

def model_choice_label(model):
    return f"{model.label} ({model.lifecycle})" if model.lifecycle else model.label


def search_label(model):
    """A model as the model list shows it: its name, its id where the name
    does not hold it, and where it runs ("Stable Diffusion XL · sdxl · Local,
    Replicate"). The App's list filters on this text only, so typing an id
    (``sd15``, ``sd3.5``) or a backend (``openai``, ``local``) finds it."""
    parts = [model.label]
    if model.id.lower() not in model.label.lower():
        parts.append(model.id)
    runs_on = ", ".join(dict.fromkeys(_backend_name(b) for b in model.backends))
    if runs_on:
        parts.append(runs_on)
    text = " · ".join(parts)
    return f"{text} ({model.lifecycle})" if model.lifecycle else text


def _backend_name(spec):
    return spec.label.replace(" (diffusers)", "")  # "Local (diffusers)" -> "Local"


def add_models_input(inputs, task, request, params, default_model, secrets=None):
    """The models to run. Retired models are not offered (one already chosen
    stays listed, marked retired, so its chip reads as its name)."""
    view = types.AutocompleteView(
        allow_user_input=False, allow_duplicates=False,
        filter_selected_options=True,
    )
    chosen = set(params.get("models") or ())
    for model in catalog.models(task):
        if model.retired and model.id not in chosen:
            continue
        view.add_choice(model.id, label=search_label(model),
                        description=model.description)
    prop = inputs.list(
        "models", types.String(), label="Models",
        default=list(params.get("models") or [default_model]),
        description="One model, or several to compare them side by side "
        "(same prompts or images, same seed). Type a name, an id (sdxl, sd3.5) "
        "or where it runs (local, replicate, openai) to find one",
        view=view,
    )
    _flag(prop, request.errors.get((None, "models")))


# prompts ------------------------------------------------------------------------

def add_prompt_inputs(inputs, ctx, operator, request, params, shown):
    """The prompt box, a prompts file, and a string field of the samples."""
    prop = inputs.str(
        "prompt", label="Prompt", default=params.get("prompt"),
        description=operator.prompt_help,
        view=types.TextFieldView(multiline=True, rows=3),
    )
    _flag(prop, shown.get((None, "prompt")))
    prop = inputs.str("prompts_file", label="Prompts file",
                      default=params.get("prompts_file"),
                      description="A .txt (one prompt per line) or .csv "
                      "(a 'prompt' column) file on the server; lines may be templates")
    _flag(prop, request.errors.get((None, "prompts_file")))
    fields = sorted(name for name, field in ctx.view.get_field_schema().items()
                    if type(field).__name__ == "StringField" and name != "filepath")
    if fields:
        prop = inputs.enum("prompt_field", fields, label="Prompts from a field",
                           default=params.get("prompt_field"),
                           description="Use each sample's value of this field "
                           "as a prompt (captions, for example)",
                           view=types.Dropdown())
        _flag(prop, request.errors.get((None, "prompt_field")))


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
    prop = inputs.enum(mode.name, list(mode.choices),
                       default=params.get(mode.name) or mode.default,
                       label=mode.title, view=view,
                       description=f"{mode.help}. Every combination makes at most "
                       f"{templates.MAX_COMBINATIONS:,} prompts")
    _flag(prop, plain(request.errors.get((None, mode.name)), mode))
    if (params.get(mode.name) or mode.default) == templates.RANDOM:
        prop = add_param(inputs, P.NUM_PROMPTS, params)
        _flag(prop, plain(request.errors.get((None, P.NUM_PROMPTS.name)), P.NUM_PROMPTS))
    prop = add_param(inputs, P.WILDCARDS_DIR, params)
    _flag(prop, plain(request.errors.get((None, P.WILDCARDS_DIR.name)), P.WILDCARDS_DIR))


# options ------------------------------------------------------------------------

def run_params(selected):
    """The options asked once per run (negative prompt, images, seed): the
    chosen models' options whose scope is the run or the plan, by name."""
    asked = {}
    for model in selected:
        for param in model.all_params:
            if param.scope != P.MODEL:
                asked.setdefault(param.name, []).append(param)
    shown = {}
    for name, declared in asked.items():
        param = declared[0]
        if name == P.NUM_IMAGES.name:  # the smallest maximum among the models
            param = param.with_(max=min(p.max for p in declared))
        shown[name] = param
    return shown


def add_run_options(inputs, request, selected, params):
    """The run's options, each flagged once however many models share it,
    then the run's own inputs (:data:`params.RUN_PARAMS`: the budget)."""
    for name, param in run_params(selected).items():
        prop = add_param(inputs, param, params, space=HALF)
        _flag(prop, plain(_run_error(request, name), param))
    for param in P.RUN_PARAMS:
        prop = add_param(inputs, param, params, space=HALF)
        _flag(prop, plain(request.errors.get((None, param.name)), param))


def _run_error(request, name):
    return request.errors.get((None, name)) or next(
        (msg for (model_id, option), msg in request.errors.items()
         if model_id is not None and option == name), None)


def add_model_sections(inputs, params, secrets, request, selected):
    """One section per chosen model: where it runs and its own options."""
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
            prop = add_param(section, param, own, space=_space(param),
                             model_choices=_model_choices(param, own, secrets))
            _flag(prop, plain(request.errors.get((model.id, param.name)), param))
        options.define_property(catalog.form_key(model.id), section,
                                label=model_choice_label(model),
                                description=model.description)
    inputs.define_property("options", options, label="Model options")


def _space(param):
    return 12 if param.type in (P.STR, P.JSON) else HALF


def _chosen_backend(model, kind, secrets):
    try:
        return model.backend(kind) if kind else default_backend(model, secrets)
    except ValueError:
        return default_backend(model, secrets)


def readiness(spec, secrets):
    """Whether a backend can run now, in a few words, and what to know."""
    fixes = spec.missing(secrets)
    words = [f"needs: {'; '.join(fixes)}"] if fixes else []
    words += spec.notes(secrets)
    if spec.kind == "diffusers" and not fixes and not gpu_present() \
            and not getattr(spec, "made_for_cpu", False):
        words.append("no GPU found, so this runs slowly on the CPU")
    return "; ".join(words) or "ready"


def _add_backend_input(section, model, backend, secrets, request):
    """"Run on": the backends this model has, each with its readiness; the
    chosen one's readiness shows under it only when there is news."""
    choices = types.Dropdown()
    for spec in model.backends:
        choices.add_choice(spec.kind, label=spec.label,
                           description=f"{readiness(spec, secrets)} ({spec.ref})")
    state = readiness(backend, secrets)
    prop = section.enum(
        "backend", choices.values(), default=backend.kind, label="Run on",
        description=None if state == "ready" else state[0].upper() + state[1:],
        view=choices,
    )
    prop.view.space = HALF
    _flag(prop, request.errors.get((model.id, "backend")))


def add_score_input(inputs, request, params):
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
                       default=params.get("score"),
                       description="Metrics written on each output as it lands "
                       "(scores.<metric>); blank for none", view=view)
    _flag(prop, request.errors.get((None, "score")))


def _model_choices(param, own, secrets):
    """For an option whose choices are models or backends of a step (a
    chain's image and 3D models): (value, label) pairs a person reads."""
    if param.models_of:
        return [(m.id, f"{search_label(m)} — {readiness(default_backend(m, secrets), secrets)}")
                for m in (catalog.get(i) for i in param.choices)]
    if param.backends_of:
        try:
            model = catalog.get(own.get(param.backends_of) or _default_of(param.backends_of))
        except ValueError:
            return None
        return [(param.default, f"{param.default}: the first ready one")] + [
            (b.kind, f"{b.label} — {readiness(b, secrets)}") for b in model.backends]
    return None


def _default_of(name):
    for model in catalog.models():
        for p in model.all_params:
            if p.name == name:
                return p.default
    return None


def add_param(inputs, param, values=None, space=None, model_choices=None):
    """One input for ``param``, with its range, default (the value it holds
    now in ``values``, the form's params, else the declared one) and help."""
    if not isinstance(values, dict):  # add_param(inputs, param, param.name)
        values = {}
    default = values.get(param.name, param.default)
    kwargs = dict(label=param.title, description=_describe(param), default=default)
    if param.type == P.INT:
        prop = inputs.int(param.name, min=param.min, max=param.max, **kwargs)
    elif param.type == P.FLOAT:
        prop = inputs.float(param.name, min=param.min, max=param.max, **kwargs)
    elif param.type == P.BOOL:
        prop = inputs.bool(param.name, **kwargs)
    elif param.type == P.CHOICE:
        view = types.Dropdown()
        pairs = model_choices or [(c, str(c)) for c in param.choices]
        if param.default is None:  # optional: "None" clears it
            pairs = [("", "None")] + pairs
        for value, label in pairs:
            view.add_choice(value, label=label)
        if model_choices and param.backends_of:
            kwargs["description"] = param.help
        prop = inputs.enum(param.name, [v for v, _ in pairs], view=view, **kwargs)
    else:
        prop = inputs.str(param.name, **kwargs)  # text, and JSON as text
    if space and prop.view is not None:
        prop.view.space = space
    elif space:
        prop.view = types.View(space=space)
    return prop


def _describe(param):
    text = param.help
    span = param.describe_range()
    if span and param.type != P.CHOICE:
        text = f"{text} ({span})" if text else span
    return text


# Advanced -----------------------------------------------------------------------

def _advanced(params):
    section = params.get(P.ADVANCED_SECTION)
    return section if isinstance(section, dict) else {}


def add_advanced(inputs, params, request):
    """Output folder, shards, timeout, provenance and templates, folded away:
    open when one of them has a problem or holds a value of its own."""
    values = {**{p.name: params[p.name] for p in P.ADVANCED_PARAMS if p.name in params},
              **_advanced(params)}
    section = types.Object()
    for param in P.ADVANCED_PARAMS:
        if param in P.TEMPLATE_PARAMS:
            continue
        prop = add_param(section, param, values,
                         space=12 if param.type == P.STR else HALF)
        _flag(prop, plain(request.errors.get((None, param.name)), param))
    if _uses_templates(values, request):
        add_template_inputs(section, values, request)
    changed = [p.title for p in P.ADVANCED_PARAMS
               if values.get(p.name) not in (None, "", p.default)]
    problems = [p for p in P.ADVANCED_PARAMS if (None, p.name) in request.errors]
    label = "Advanced"
    if changed:
        label += f" ({', '.join(changed)} set)"
    inputs.define_property(
        P.ADVANCED_SECTION, section,
        view=types.ObjectView(label=label, collapsible=True,
                              default_expanded=bool(problems or changed),
                              description="Output folder, shards, timeout, "
                              "provenance in files, prompt templates"))


# problems and the summary ---------------------------------------------------------

def flag(prop, message):
    """Marks ``prop`` invalid with ``message`` (nothing when there is none)."""
    if message:
        prop.invalid = True
        prop.error_message = message


def _flag(prop, message):
    """:func:`flag`, the message read as a sentence under its input."""
    flag(prop, message and message[0].upper() + message[1:])


def plain(message, param):
    """A problem in the form's words: the option's name that starts the
    message goes (the input's label says it), other names become labels."""
    if not message:
        return message
    if message.startswith(param.name + " "):
        message = message[len(param.name) + 1:]
    return message


def where(model_id, name):
    """A problem's place as the form names it: "Prompt", or a model's label
    and the option's label ("gpt-image-2 › Run on")."""
    if model_id is None:
        titles = {p.name: p.title for p in P.ADVANCED_PARAMS + P.RUN_PARAMS}
        titles.update({"models": "Models", "seed": P.SEED.title,
                       "sources": "Source images", "prompt_field": "Prompts from a field"})
        return titles.get(name, name.replace("_", " ").capitalize())
    try:
        model = catalog.get(model_id)
    except ValueError:
        return f"{model_id} › {name}"
    titles = {p.name: p.title for p in model.all_params}
    return f"{model.label} › {'Run on' if name == 'backend' else titles.get(name, name)}"


def problems(request):
    """Each problem once, as "where: what", in the form's words: a run
    option's problem is the run's, however many models share the option."""
    asked_once = {name: param for model in (c.model for c in request.choices)
                  for name, param in run_params([model]).items()}
    seen = {}
    for (model_id, name), message in request.errors.items():
        param = asked_once.get(name) or _param(model_id, name)
        if model_id is not None and name in asked_once:
            model_id = None
        place = param.title if model_id is None and param else where(model_id, name)
        key = (place, plain(message, param) if param else message)
        seen.setdefault(key, None)
    return [f"{place}: {message}" for place, message in seen]


def _param(model_id, name):
    pool = P.ADVANCED_PARAMS + P.RUN_PARAMS + (P.SEED,)
    if model_id is not None:
        try:
            pool = catalog.get(model_id).all_params
        except ValueError:
            return None
    return next((p for p in pool if p.name == name), None)


def add_summary(inputs, request, num_sources=1):
    """What the run will make and is expected to cost (:mod:`core.pricing`),
    or what stops it, near the top. An input that is only empty (no prompt
    yet) is named here, not flagged in red; Execute stays off until it is
    filled."""
    if not request.valid:
        listed = problems(request)
        untouched = [m for (model_id, name), m in request.errors.items()
                     if model_id is None and name in UNTOUCHED]
        if untouched and len(request.errors) == len(untouched):
            text = "To run: " + "; ".join(untouched)
            prop = inputs.view("summary", types.Notice(label=text[0].upper() + text[1:]))
            _flag(prop, "; ".join(untouched))  # Execute stays off
            return
        inputs.view("problems", types.Error(
            label="Fix these before running",
            description="; ".join(listed)))
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

