"""One place that turns operator params into a validated run request.

Used by the App form (to flag invalid values before running), by the SDK call
(to raise before queueing anything) and by ``execute``. Params look like::

    {"models": ["sdxl", "flux-schnell"], "prompt": "a corgi\\na cat",
     "prompts_file": "...", "prompt_field": "caption",
     "negative_prompt": "...", "num_images": 2, "seed": 51,
     "output_dir": "...", "shards": 1,
     "template_mode": "combinatorial", "num_prompts": 16, "wildcards_dir": "...",
     "embed_provenance": True, "max_cost": 5.0, "score": ["clip_score"],
     "options": {"sdxl": {"backend": "replicate", ...}}}

A problem is addressed by ``(model id, option name)``, or ``(None, name)``
for the run's own inputs (``prompt``, ``models``, ``seed``...).
"""

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from . import catalog, metrics, paths, templates
from .backends.diffusers_local import Diffusers, gpu_present
from .plan import random_seed
from .params import (EMBED_PROVENANCE, MAX_COST, MODEL, NUM_PROMPTS, PLAN, SEED,
                     TEMPLATE_MODE, TEMPLATE_PARAMS, TIMEOUT, WILDCARDS_DIR)

PROMPT_REQUIRED, PROMPT_OPTIONAL, NO_PROMPT = "required", "optional", "none"

# (model id or None for the run, option or input name)
Where = Tuple[Optional[str], str]


@dataclass
class Choice:
    """One model as the user configured it for a run.

    ``options`` holds the model's own options for the chosen backend,
    validated, defaults filled in; never the plan's (``seed``, ``num_images``:
    see ``Request.seed`` and ``count``)."""

    model: Any
    backend: Any
    options: Dict[str, Any]
    count: int = 1  # outputs per input


@dataclass
class Request:
    choices: List[Choice] = field(default_factory=list)
    prompts: List[str] = field(default_factory=list)
    seed: Optional[int] = None
    output_dir: Optional[str] = None
    shards: int = 1
    timeout_s: float = TIMEOUT.default
    embed_provenance: bool = True
    max_cost: Optional[float] = None  # US dollars; None: no budget
    score: List[str] = field(default_factory=list)  # metric ids scoring each output
    # prompts made from templates: prompt -> templates.Expansion (its
    # template and slot values), and how many template lines made them
    expansions: Dict[str, Any] = field(default_factory=dict)
    templates: int = 0
    errors: Dict[Where, str] = field(default_factory=dict)

    @property
    def valid(self):
        return not self.errors

    def error_text(self):
        """Every problem in one line, as SDK users name things
        (``sdxl.guidance_scale: ...``)."""
        return "; ".join(f"{name if model_id is None else f'{model_id}.{name}'}: {message}"
                         for (model_id, name), message in self.errors.items())


def split_prompts(text):
    """One prompt per non-blank line; a list is taken as it is."""
    if text is None:
        return []
    if isinstance(text, str):
        text = text.splitlines()
    return [p.strip() for p in text if p and str(p).strip()]


def read_prompts_file(path):
    """Prompts from a text file (one per line) or a CSV file (its ``prompt``
    column, else its first column)."""
    import csv

    with open(path, newline="", encoding="utf-8") as f:
        if not path.lower().endswith(".csv"):
            return split_prompts(f.read())
        rows = list(csv.reader(f))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    if "prompt" in header:
        column = header.index("prompt")
        rows = rows[1:]
    else:
        column = 0
    return split_prompts(row[column] for row in rows if len(row) > column)


def read_prompt_field(view, name):
    """Prompts from a string field of the view's samples (captions...)."""
    if not view.has_field(name):
        raise ValueError(f"the samples have no field {name!r} to read prompts from")
    return [v.strip() for v in view.values(name) if isinstance(v, str) and v.strip()]


def as_list(value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def parse(task, params, secrets, *, prompt=PROMPT_REQUIRED, view=None, check_ready=True,
          preview=False):
    """Validates ``params`` for ``task`` and returns a :class:`Request`.

    ``prompt`` says whether the task needs prompts (text to X), may take them
    (image to video: a motion prompt), or takes none. ``view`` holds the
    samples whose ``prompt_field`` gives prompts (none: that field is only
    checked when there is a view). ``preview``: for the form, which only
    counts what templates make (see :func:`_expand_templates`)."""
    request = Request(shards=int(params.get("shards") or 1))
    errors = request.errors
    if params.get("output_dir"):
        try:
            request.output_dir = paths.output_folder(params["output_dir"])
        except ValueError as e:
            errors[None, "output_dir"] = str(e)
    for param in (SEED, TIMEOUT, EMBED_PROVENANCE, MAX_COST):
        try:
            value = param.coerce(params.get(param.name))
        except ValueError as e:
            errors[None, param.name] = str(e)
            continue
        if param is SEED:
            request.seed = value
        elif param is MAX_COST:
            request.max_cost = value
        elif param is EMBED_PROVENANCE:
            request.embed_provenance = value is not False
        elif value is not None:
            request.timeout_s = value
    try:
        request.score = metrics.parse_ids(params.get("score"))
    except ValueError as e:
        errors[None, "score"] = str(e)
    if prompt != NO_PROMPT:
        _read_prompts(request, params, view, preview)
        if not request.prompts and prompt == PROMPT_REQUIRED and not errors and not (
                params.get("prompt_field") and view is None):
            errors[None, "prompt"] = "enter a prompt (one per line for several)"

    model_ids = as_list(params.get("models"))
    if not model_ids:
        errors[None, "models"] = "choose at least one model"
    if len(set(model_ids)) != len(model_ids):
        errors[None, "models"] = "a model is chosen twice"
    all_options = params.get("options") or {}
    for model_id in dict.fromkeys(model_ids):
        own = dict(all_options.get(catalog.form_key(model_id))
                   or all_options.get(model_id) or {})
        choice = _choose(task, model_id, own, params, secrets, errors, check_ready)
        if choice is not None:
            request.choices.append(choice)
    _check_prompts_needed(request, prompt, params, view)
    return request


def _read_prompts(request, params, view, preview=False):
    """Prompts from the text box, then a file (both may hold templates),
    then a field of the samples (taken as they are: captions are not
    templates)."""
    lines = split_prompts(params.get("prompt"))
    if params.get("prompts_file"):
        try:
            lines += read_prompts_file(paths.readable_file(params["prompts_file"]))
        except (OSError, ValueError) as e:
            request.errors[None, "prompts_file"] = str(e)
    request.prompts = _expand_templates(request, params, lines, preview)
    if params.get("prompt_field") and view is not None:
        try:
            request.prompts += read_prompt_field(view, params["prompt_field"])
        except ValueError as e:
            request.errors[None, "prompt_field"] = str(e)


def _expand_templates(request, params, lines, preview=False):
    """The prompts of template lines (see :mod:`core.templates`), recording
    where each came from. Random expansion is seeded by the run's seed, so a
    run without one gets its seed here: every shard and resumed run that
    reads the same params and seed expands alike. A ``preview`` (the form,
    on every change) keeps a blank seed blank, expands with seed 0 and reuses
    its last expansions: it only shows how many prompts there will be."""
    values = {}
    for param in TEMPLATE_PARAMS:
        try:
            values[param.name] = param.coerce(params.get(param.name))
        except ValueError as e:
            request.errors[None, param.name] = str(e)
    mode = values.get(TEMPLATE_MODE.name) or TEMPLATE_MODE.default
    folder = values.get(WILDCARDS_DIR.name)
    if folder:
        try:
            folder = paths.readable_folder(folder)
        except ValueError as e:
            request.errors[None, WILDCARDS_DIR.name] = str(e)
            folder = None
    if mode == templates.LITERAL or not any(map(templates.may_be_template, lines)):
        return lines
    if request.seed is None and not preview:
        request.seed = random_seed()
    expand = templates.expand_cached if preview else templates.expand
    try:
        expanded = expand(tuple(lines), mode, values.get(NUM_PROMPTS.name)
                          or NUM_PROMPTS.default, request.seed or 0, folder)
    except templates.TemplateError as e:
        request.errors.setdefault((None, e.name), str(e))
        return [line for line in lines if not templates.may_be_template(line)]
    request.expansions, request.templates = dict(expanded.expansions), expanded.templates
    return list(expanded.prompts)  # copies: a preview's expansion is shared


def _choose(task, model_id, own, params, secrets, errors, check_ready):
    """The :class:`Choice` for one model, or None (with ``errors`` filled)."""
    try:
        model = catalog.get(model_id, task)
    except ValueError as e:
        errors[None, "models"] = str(e)
        return None
    if model.retired:
        errors[None, "models"] = model.retirement_message()
        return None
    try:
        backend = model.backend(own.pop("backend", None) or default_backend(model, secrets).kind)
    except ValueError as e:
        errors[model_id, "backend"] = str(e)
        return None
    if check_ready:
        fixes = backend.missing(secrets)
        if fixes:
            errors[model_id, "backend"] = (
                f"{backend.label} cannot run {model.label} yet: " + "; ".join(fixes))
    for param in model.all_params:  # asked once for the run, set for each model
        if param.scope != MODEL and params.get(param.name) not in (None, ""):
            own.setdefault(param.name, params[param.name])
    own.pop(SEED.name, None)  # the run's seed is request.seed
    clean, problems = catalog.validate_options(model, backend.kind, own)
    for name, message in backend.check(clean, secrets, check_ready).items():
        problems.setdefault(name, message)
    for name, message in problems.items():
        errors[model_id, name] = message
    plan_values = {p.name: clean.pop(p.name, None) for p in model.all_params
                   if p.scope == PLAN}
    return Choice(model, backend, backend.effective(clean),
                  count=int(plan_values.get("num_images") or 1))


def _check_prompts_needed(request, prompt, params, view):
    """Models that refuse to run without a prompt (declared by their backend)."""
    if prompt == NO_PROMPT or request.prompts or (None, "prompt") in request.errors:
        return
    if params.get("prompt_field") and view is None:
        return  # the field's prompts are read where the samples are
    needing = [c.model.label for c in request.choices if c.backend.needs_prompt]
    if needing:
        request.errors[None, "prompt"] = (
            f"{', '.join(needing)} need{'s' if len(needing) == 1 else ''} a prompt")


def default_backend(model, secrets):
    """The first declared backend that is ready. Without a GPU, local models
    come last, even after a hosted backend that still needs its key: a form
    saying "set REPLICATE_API_TOKEN" beats a silent multi-GB download and
    minutes per image on the CPU. A backend is still chosen explicitly."""
    def rank(spec):
        local = spec.kind == Diffusers.kind
        if gpu_present():
            return bool(spec.missing(secrets))
        return (local, bool(spec.missing(secrets)))

    return sorted(model.backends, key=rank)[0]
