"""One place that turns operator params into a validated run request.

Used by the App form (to flag invalid values before running), by the SDK call
(to raise before queueing anything) and by ``execute``. Params look like::

    {"models": ["sdxl", "flux-schnell"], "prompt": "a corgi\\na cat",
     "negative_prompt": "...", "num_images": 2, "seed": 51,
     "output_dir": "...", "options": {"sdxl": {"backend": "replicate", ...}}}
"""

import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from . import catalog
from .backends.diffusers_local import Diffusers, gpu_present
from .jobs import Choice
from .params import SEED

# Options asked once per run rather than per model
RUN_OPTIONS = ("negative_prompt", "num_images", "seed")


@dataclass
class Request:
    choices: List[Choice] = field(default_factory=list)
    prompts: List[str] = field(default_factory=list)
    seed: Optional[int] = None
    output_dir: Optional[str] = None
    # where each problem is, for the form: "prompt", "models", or "<model>.<option>"
    errors: Dict[str, str] = field(default_factory=dict)

    @property
    def valid(self):
        return not self.errors

    def error_text(self):
        return "; ".join(
            f"{where}: {message}" for where, message in self.errors.items()
        )


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

    path = os.path.expanduser(str(path))
    if not os.path.isfile(path):
        raise ValueError(f"no prompts file at {path}")
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


def as_list(value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


PROMPT_REQUIRED, PROMPT_OPTIONAL, NO_PROMPT = "required", "optional", "none"


def parse(task, params, secrets, *, prompt=PROMPT_REQUIRED, check_ready=True):
    """Validates ``params`` for ``task`` and returns a :class:`Request`.

    ``prompt`` says whether the task needs prompts (text to X), may take them
    (image to video: a motion prompt), or takes none."""
    request = Request(output_dir=params.get("output_dir") or None)
    errors = request.errors

    if prompt != NO_PROMPT:
        request.prompts = split_prompts(params.get("prompt"))
        if params.get("prompts_file"):
            try:
                request.prompts += read_prompts_file(params["prompts_file"])
            except (OSError, ValueError) as e:
                errors["prompts_file"] = str(e)
        # prompts from a field of the samples are read by the operator
        if (not request.prompts and prompt == PROMPT_REQUIRED
                and not params.get("prompt_field") and "prompts_file" not in errors):
            errors["prompt"] = "enter a prompt (one per line for several)"

    try:
        request.seed = SEED.coerce(params.get("seed"))
    except ValueError as e:
        errors["seed"] = str(e)

    model_ids = as_list(params.get("models"))
    if not model_ids:
        errors["models"] = "choose at least one model"
    if len(set(model_ids)) != len(model_ids):
        errors["models"] = "a model is chosen twice"
    all_options = params.get("options") or {}

    for model_id in dict.fromkeys(model_ids):
        try:
            model = catalog.get(model_id, task)
        except ValueError as e:
            errors["models"] = str(e)
            continue
        if model.retired:
            errors["models"] = model.retirement_message()
            continue
        own = dict(all_options.get(catalog.form_key(model_id))
                   or all_options.get(model_id) or {})
        backend_kind = own.pop("backend", None) or default_backend(model, secrets).kind
        try:
            backend = model.backend(backend_kind)
        except ValueError as e:
            errors[f"{model_id}.backend"] = str(e)
            continue
        if check_ready:
            fixes = backend.missing(secrets)
            if fixes:
                errors[f"{model_id}.backend"] = (
                    f"{backend.label} cannot run {model.label} yet: "
                    + "; ".join(fixes)
                )
        declared = {p.name for p in model.all_params}
        for name in RUN_OPTIONS:
            if name in declared and params.get(name) not in (None, ""):
                own.setdefault(name, params[name])
        own.pop("seed", None)  # the run's seed is request.seed
        clean, option_errors = catalog.validate_options(model, backend.kind, own)
        for name, message in option_errors.items():
            errors[f"{model_id}.{name}"] = message
        request.choices.append(Choice(model, backend, clean))
    return request


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
