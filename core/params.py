"""Typed model options: one declaration serves the App form, SDK validation,
provenance and the README.

Standard names (``prompt``, ``negative_prompt``, ``width``, ``height``,
``num_inference_steps``, ``guidance_scale``, ``seed``, ``num_images``,
``num_frames``, ``fps``...) mean the same for every model; backends translate
them to each provider's own field names.
"""

import math
from dataclasses import dataclass, replace
from typing import Any, Optional, Tuple

INT, FLOAT, STR, BOOL, CHOICE, JSON = "int", "float", "str", "bool", "choice", "json"

# Where an option is set. Most belong to one model (MODEL). RUN options are
# asked once for the whole run and given to every chosen model that has them
# (a negative prompt). PLAN options are asked once and shape the plan itself
# (which seed, how many outputs): they never reach a backend as options.
MODEL, RUN, PLAN = "model", "run", "plan"


@dataclass(frozen=True)
class Param:
    """One option of a model.

    Attributes:
        name: the option's name (a standard name where the meaning is standard)
        type: one of ``int``, ``float``, ``str``, ``bool``, ``choice``,
            ``json`` (a dict; the form holds it as JSON text)
        default: the value used when the user gives none (None = not sent)
        min, max: inclusive range for numbers
        choices: allowed values for ``choice``
        multiple_of: numbers must be a multiple of this (image sizes)
        help: one line shown in the form and README
        backends: backend kinds the option applies to (empty: all)
        scope: ``model``, ``run`` or ``plan`` (see above)
    """

    name: str
    type: str
    default: Any = None
    min: Optional[float] = None
    max: Optional[float] = None
    choices: Tuple = ()
    multiple_of: Optional[int] = None
    help: str = ""
    label: str = ""
    backends: Tuple[str, ...] = ()
    scope: str = MODEL

    @property
    def title(self):
        return self.label or self.name.replace("_", " ").capitalize()

    def applies_to(self, backend_kind):
        return not self.backends or backend_kind in self.backends

    def with_(self, **changes):
        """A copy with some attributes changed (a model's own default or range)."""
        return replace(self, **changes)

    def describe_range(self):
        if self.type == CHOICE:
            return ", ".join(str(c) for c in self.choices)
        if self.min is not None or self.max is not None:
            # "-1 to 20000" reads better than "-1-20000"
            dash = " to " if self.min is not None and self.min < 0 else "-"
            text = (f"at least {_fmt(self.min)}" if self.max is None else
                    f"at most {_fmt(self.max)}" if self.min is None else
                    f"{_fmt(self.min)}{dash}{_fmt(self.max)}")
            if self.multiple_of:
                text += f", multiple of {self.multiple_of}"
            return text
        return ""

    def coerce(self, value):
        """Returns ``value`` converted to this option's type, or raises
        ``ValueError`` with a message that says what to fix."""
        if value is None or value == "":
            return None
        try:
            if self.type == INT:
                if isinstance(value, bool) or (
                    isinstance(value, float) and not value.is_integer()
                ):
                    raise ValueError
                value = int(value)
            elif self.type == FLOAT:
                if isinstance(value, bool):
                    raise ValueError
                value = float(value)
                if not math.isfinite(value):  # NaN and infinity pass every range check
                    raise ValueError
            elif self.type == BOOL:
                if isinstance(value, str):
                    if value.lower() not in ("true", "false", "1", "0"):
                        raise ValueError
                    value = value.lower() in ("true", "1")
                else:
                    value = bool(value)
            elif self.type == JSON:
                value = _json_object(value)
            elif self.type in (STR, CHOICE):
                value = str(value) if self.type == STR else value
        except (TypeError, ValueError):
            raise ValueError(
                f"{self.name} must be {_article(self.type)}, got {value!r}"
            ) from None

        if self.type == CHOICE and value not in self.choices:
            # the same choice as text ("512" for 512): forms and JSON hand text
            value = next((c for c in self.choices if str(c) == str(value)), value)
        if self.type == CHOICE and value not in self.choices:
            raise ValueError(
                f"{self.name} must be one of {', '.join(map(str, self.choices))}; "
                f"got {value!r}"
            )
        if self.type in (INT, FLOAT):
            if (self.min is not None and value < self.min) or (
                self.max is not None and value > self.max
            ):
                bounds = (f"at least {_fmt(self.min)}" if self.max is None else
                          f"at most {_fmt(self.max)}" if self.min is None else
                          f"between {_fmt(self.min)} and {_fmt(self.max)}")
                raise ValueError(f"{self.name} must be {bounds}; got {_fmt(value)}")
            if self.multiple_of and value % self.multiple_of:
                raise ValueError(
                    f"{self.name} must be a multiple of {self.multiple_of}; "
                    f"got {_fmt(value)}"
                )
        return value


def _json_object(value):
    """A dict, from a dict or from JSON text of one."""
    import json

    if isinstance(value, dict):
        return dict(value)
    value = json.loads(value)
    if not isinstance(value, dict):
        raise ValueError
    return value


def _fmt(x):
    if x is None:
        return "any"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _article(type_name):
    return {
        INT: "a whole number",
        FLOAT: "a number",
        BOOL: "true or false",
        STR: "text",
        JSON: 'a JSON object, e.g. {"num_inference_steps": 4}',
    }.get(type_name, "a valid choice")


# Standard options. Models take them as they are or adjust defaults/ranges with
# ``.with_(...)``.

NEGATIVE_PROMPT = Param(
    "negative_prompt", STR, help="What the image should not show", scope=RUN
)
SEED = Param(
    "seed",
    INT,
    scope=PLAN,
    min=0,
    # 31 bits: FiftyOne's form validation rejects the Int64 that MongoDB
    # hands back for larger values in a delegated run's params
    max=2**31 - 1,
    help="Blank for a random seed; the seed used is recorded on each sample",
)
NUM_IMAGES = Param(
    "num_images", INT, default=1, min=1, max=8, label="Images", help="Images per prompt",
    scope=PLAN,
)
WIDTH = Param(
    "width", INT, default=1024, min=64, max=2048, multiple_of=8,
    help="Image width in pixels",
)
HEIGHT = Param(
    "height", INT, default=1024, min=64, max=2048, multiple_of=8,
    help="Image height in pixels",
)
STEPS = Param(
    "num_inference_steps", INT, default=30, min=1, max=150,
    label="Inference steps", help="Denoising steps: more is slower and finer",
)
GUIDANCE = Param(
    "guidance_scale", FLOAT, default=7.5, min=0.0, max=30.0,
    help="How strongly the image follows the prompt (0 turns guidance off)",
)


SPEED = Param(
    "speed", CHOICE, default="safe", choices=("safe", "fast"), label="Speed",
    backends=("diffusers",),
    help="fast: channels-last, fused attention projections, torch.compile of the "
    "denoiser on CUDA (the first batch compiles for minutes) and VAE tiling for "
    "outputs over 1.5 MP; images may differ slightly. safe: as the model card runs it",
)

TIMEOUT = Param(
    "timeout", FLOAT, default=600.0, min=1.0, max=3600.0, label="Timeout (s)",
    help="How long to wait for a hosted model's answer before the item fails "
    "(and a Replicate prediction is cancelled)",
)

MAX_COST = Param(
    "max_cost", FLOAT, min=0.0, label="Budget (USD)",
    help="Stop starting new hosted items once the run has cost this much (US "
    "dollars; reported or estimated per output, see README: Cost); what finished "
    "stays, the rest is listed as not run. Blank for no budget",
)


# Prompt templates (core/templates.py) and provenance in files: run inputs,
# declared once for the form, the SDK and the request.
TEMPLATE_MODE = Param(
    "template_mode", CHOICE, default="combinatorial",
    choices=("combinatorial", "random", "literal"), label="Templates",
    help="How a prompt like 'a {red|blue} {car|bicycle}' expands: every "
    "combination, a number of prompts drawn at random with the run's seed, or "
    "none (the braces are sent as they are)",
)
NUM_PROMPTS = Param(
    "num_prompts", INT, default=16, min=1, max=10000, label="Prompts per template",
    help="Random templates: how many distinct prompts to draw from each",
)
WILDCARDS_DIR = Param(
    "wildcards_dir", STR, label="Wildcards folder",
    help="A folder of .txt files on the server: __colors__ in a template takes "
    "a line of colors.txt",
)
EMBED_PROVENANCE = Param(
    "embed_provenance", BOOL, default=True, label="Provenance in files",
    help="Write how each file was made into the file itself (PNG text, EXIF/XMP, "
    "MP4 comment, glTF extras), so it travels with exports",
)
TEMPLATE_PARAMS = (TEMPLATE_MODE, NUM_PROMPTS, WILDCARDS_DIR)


def sized(default, *, min=64, max=2048, multiple_of=8, backends=()):
    """Width and height options with a model's native default size."""
    return (
        WIDTH.with_(default=default, min=min, max=max,
                    multiple_of=multiple_of, backends=backends),
        HEIGHT.with_(default=default, min=min, max=max,
                     multiple_of=multiple_of, backends=backends),
    )


def sized_choices(default, choices, *, backends=()):
    """Width and height options for a provider that takes only listed sizes."""
    return tuple(
        Param(base.name, CHOICE, default=default, choices=tuple(choices), help=base.help,
              backends=backends)
        for base in (WIDTH, HEIGHT))


# The plan-scope options by name, for steps that may not set them (a chain's)
PLAN_OPTIONS = (NUM_IMAGES.name, SEED.name)
