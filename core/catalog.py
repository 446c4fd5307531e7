"""The model catalog: every model declared once, as data.

Task packages declare their models with :class:`Model` and export them as
``MODELS``; the plugin registers every task's models (``__init__.py``). The
App form, SDK validation, provenance and the README's model table are all
derived from these declarations.
"""

import contextlib
import datetime
import os
from dataclasses import dataclass
from typing import Optional, Tuple

from .params import NUM_IMAGES, SEED, Param

TASKS = {
    "txt2img": "Text to image",
    "txt2video": "Text to video",
    "img2video": "Image to video",
    "txt2mesh": "Text to 3D",
    "img2mesh": "Image to 3D",
    "imgedit": "Edit images",
}

AVAILABLE, RETIRED = "available", "retired"

_AS_OF = []  # dates set by as_of(), innermost last


def today():
    """The date lifecycle decisions are made on: the innermost ``as_of``
    date, else ``MULTIGEN_TODAY`` (YYYY-MM-DD; for tests and subprocesses),
    else the local date."""
    if _AS_OF:
        return _AS_OF[-1]
    value = os.environ.get("MULTIGEN_TODAY")
    return datetime.date.fromisoformat(value) if value else datetime.date.today()


@contextlib.contextmanager
def as_of(day):
    """Decides lifecycles as on ``day`` (a date or YYYY-MM-DD) inside the block."""
    _AS_OF.append(datetime.date.fromisoformat(day) if isinstance(day, str) else day)
    try:
        yield
    finally:
        _AS_OF.pop()


@dataclass(frozen=True)
class Model:
    """One model and every way to run it.

    Attributes:
        id: short stable id used in forms, SDK calls, tags and provenance
        label: human name
        task: a key of :data:`TASKS`
        backends: backend specs (``Diffusers``, ``Replicate``...), preferred first
        params: the model's options; ``num_images`` is added when the model
            is ``batched`` and ``seed`` when a backend takes one
        status: ``available``, or ``retired`` for a model its provider has
            already retired
        retired_on / successor: when the provider retired it, and the model
            id to use instead
        shutdown_on: the date (YYYY-MM-DD) the provider announced it shuts the
            model down: until then the form, ``list_models()`` and the README
            show it; from then on the model is retired by itself
        summary: one line for the form and README
        batched: several outputs per input may be asked (``num_images``)
    """

    id: str
    label: str
    task: str
    backends: Tuple = ()
    params: Tuple[Param, ...] = ()
    status: str = AVAILABLE
    retired_on: Optional[str] = None
    successor: Optional[str] = None
    shutdown_on: Optional[str] = None
    summary: str = ""
    batched: bool = True

    @property
    def seeded(self):
        """Whether any of its backends takes a seed (declared there)."""
        return any(b.takes_seed for b in self.backends)

    @property
    def all_params(self):
        extra = []
        if self.batched and not self._has("num_images"):
            extra.append(NUM_IMAGES)
        if self.seeded and not self._has("seed"):
            extra.append(SEED)
        for backend in self.backends:  # options a backend adds (local: speed)
            extra.extend(p.with_(backends=(backend.kind,)) for p in backend.params
                         if not self._has(p.name) and p.name not in {e.name for e in extra})
        return tuple(self.params) + tuple(extra)

    def _has(self, name):
        return any(p.name == name for p in self.params)

    @property
    def retired(self):
        """Retired by its provider: declared so, or its shutdown date has come."""
        return self.status == RETIRED or (
            self.shutdown_on is not None
            and today() >= datetime.date.fromisoformat(self.shutdown_on))

    @property
    def retirement_date(self):
        return self.retired_on or (self.shutdown_on if self.retired else None)

    @property
    def lifecycle(self):
        """What a person should know before choosing it, or "": "retired
        2026-05-12: use gpt-image-2", "shuts down 2026-12-01: use gpt-image-2"."""
        use = f": use {self.successor}" if self.successor else ""
        if self.retired:
            return f"retired {self.retirement_date}{use}" if self.retirement_date else f"retired{use}"
        if self.shutdown_on:
            return f"shuts down {self.shutdown_on}{use}"
        return ""

    @property
    def description(self):
        """Its summary, with its lifecycle when it has one."""
        notice = self.lifecycle
        if not notice:
            return self.summary
        notice = notice[0].upper() + notice[1:]
        return f"{self.summary} ({notice})" if self.summary else notice

    @property
    def backend_kinds(self):
        return [b.kind for b in self.backends]

    def backend(self, kind=None):
        """The spec for backend ``kind`` (the first one when None)."""
        if not self.backends:
            raise ValueError(self.retirement_message())
        if kind is None:
            return self.backends[0]
        for spec in self.backends:
            if spec.kind == kind:
                return spec
        raise ValueError(
            f"model {self.id} does not run on backend {kind!r}; "
            f"choose one of: {', '.join(self.backend_kinds)}"
        )

    def params_for(self, backend_kind):
        """The options that apply when running on ``backend_kind``."""
        return [p for p in self.all_params if p.applies_to(backend_kind)]

    def retirement_message(self):
        text = f"{self.label} was retired by its provider"
        if self.retirement_date:
            text += f" on {self.retirement_date}"
        if self.successor:
            text += f"; use {self.successor} instead"
        return text

    def to_dict(self):
        return {
            "id": self.id,
            "label": self.label,
            "task": self.task,
            "status": RETIRED if self.retired else AVAILABLE,
            "retired_on": self.retirement_date,
            "shutdown_on": self.shutdown_on,
            "successor": self.successor,
            "summary": self.summary,
            "lifecycle": self.lifecycle,
            "backends": [
                {"kind": b.kind, "label": b.label, "ref": b.ref,
                 "requires": b.secret}
                for b in self.backends
            ],
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "default": p.default,
                    "min": p.min,
                    "max": p.max,
                    "choices": list(p.choices),
                    "multiple_of": p.multiple_of,
                    "help": p.help,
                    "backends": list(p.backends),
                }
                for p in self.all_params
            ],
        }


_MODELS = {}


def form_key(model_id):
    """The key of a model's section in the form's params: the App treats
    dots as path separators, and model ids like ``sd3.5-large`` have them."""
    return model_id.replace(".", "_")


def register(*models):
    """Adds models to the catalog; registering the same declaration again
    (the plugin loaded twice) changes nothing."""
    for model in models:
        if model.task not in TASKS:
            raise ValueError(f"{model.id}: unknown task {model.task}")
        if model.id in _MODELS and _MODELS[model.id] != model:
            raise ValueError(f"model id {model.id} declared twice")
        if model.successor and model.successor == model.id:
            raise ValueError(f"{model.id} cannot succeed itself")
        _MODELS[model.id] = model


def models(task=None, include_retired=True):
    return [
        m for m in _MODELS.values()
        if (task is None or m.task == task)
        and (include_retired or not m.retired)
    ]


def get(model_id, task=None):
    model = _MODELS.get(model_id)
    if model is None or (task and model.task != task):
        choices = ", ".join(m.id for m in models(task, include_retired=False))
        raise ValueError(f"unknown model {model_id!r}; choose one of: {choices}")
    return model


def validate_options(model, backend_kind, options):
    """Checks user options for ``model`` on ``backend_kind``.

    Returns ``(clean, errors)``: ``clean`` holds every applicable option with
    defaults filled in and values converted; ``errors`` maps option names to
    messages saying what to fix. Options the model does not have are errors;
    options the model has but this backend ignores are dropped.
    """
    declared = {p.name: p for p in model.all_params}
    applicable = {p.name: p for p in model.params_for(backend_kind)}
    clean, errors = {}, {}
    for name, value in options.items():
        if name not in declared:
            errors[name] = (
                f"{model.id} has no option {name!r}; its options are: "
                f"{', '.join(declared)}"
            )
    for name, param in applicable.items():
        value = options.get(name)
        try:
            value = param.coerce(value)
        except ValueError as e:
            errors[name] = str(e)
            continue
        clean[name] = param.default if value is None else value
    return clean, errors
