"""The one small interface every backend implements.

A backend spec is plain data in a model declaration (``Diffusers(repo=...)``,
``Replicate(ref=...)``...) and knows how to run one request for that model.
Provider details (field names, auth, wire format, retries) stay behind it.
"""

import importlib.util
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Dict, List, Optional, Tuple

from ..pacing import RateLimit
from ..params import TIMEOUT


class GenerationError(Exception):
    """A generation failed in a way the user can act on; the message says how.

    Attributes:
        retryable: whether trying again later may succeed (rate limits, 5xx)
        retry_after: seconds the provider asked us to wait, when it said
        rate_limited: the provider refused for rate (the run slows down)
    """

    def __init__(self, message, *, retryable=False, retry_after=None, rate_limited=False):
        super().__init__(message)
        self.retryable = retryable or rate_limited
        self.retry_after = retry_after
        self.rate_limited = rate_limited


@dataclass
class Job:
    """One request to a backend: ``count`` outputs of one model for one input.

    ``options`` holds validated options under their standard names, already
    filtered to those that apply to this backend. ``seed`` is the seed of the
    first output; output ``i`` of a local batch uses ``seed + i``.
    """

    model: Any
    prompt: Optional[str] = None
    options: Dict[str, Any] = field(default_factory=dict)
    seed: Optional[int] = None
    count: int = 1
    source_path: Optional[str] = None  # input image for image-to-X tasks
    mask_path: Optional[str] = None  # an edit's mask: white where it may paint
    # hosted calls: how long to wait for the provider, and the run's cancel
    # signal (a ``threading.Event``) to stop waiting and cancel provider-side
    timeout_s: float = TIMEOUT.default
    cancelled: Any = None
    # where a backend reports the limits its provider states on each answer
    # (``Pacer.observe``: rate, remaining, reset_s)
    pace: Optional[Callable[..., None]] = None


@dataclass
class Output:
    """One generated file, in memory, plus what the provider said about it."""

    data: bytes
    ext: str  # file extension without the dot: png, jpg, webp, mp4, glb...
    seed: Optional[int] = None
    request_id: Optional[str] = None
    provider_ref: Optional[str] = None
    revised_prompt: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)
    # seconds spent making this output, when a packed call shared its time
    latency_s: Optional[float] = None
    # further files that belong with this one (a preview, an intermediate image)
    companions: Dict[str, "Output"] = field(default_factory=dict)
    # its provenance (core.provenance.record), set by the writer before it
    # writes the files, which carry it
    record: Optional[Dict[str, Any]] = None
    # what it cost when the provider reported the usage it is billed by
    # (core.pricing.Cost.to_dict()); else the run estimates it from the price
    cost: Optional[Dict[str, Any]] = None


@dataclass
class Backend:
    """Base class of backend specs.

    Subclasses are dataclasses holding the per-model declaration and set, as
    class attributes:

    - ``kind``: the backend id used in forms, SDK calls and provenance
    - ``label``: how the App names it
    - ``secret``: the environment variable / FiftyOne secret holding its key
    - ``packages``: importable modules it needs, with the pip name to install
    - ``concurrency``: how many requests may run at once to start with, and
      ``max_concurrency`` the most it may grow to (see :mod:`core.pacing`)
    - ``rate_limit``: the provider's documented request rate, if any
    - ``params``: options the backend adds to every model it runs (the local
      backend's ``speed``), each applying to this backend only
    - ``packs_inputs``: one call can take several inputs (prompts, sources)
      of one model and options; the run hands such a backend all its items of
      one model at once (``generate_many``), one model after another

    Every declaration also says what the model takes, where it differs from
    these defaults (checked once, generically, by the request and the plan):

    - ``max_batch``: the most outputs one call returns
    - ``takes_prompt``: the model reads a prompt (SVD does not: the plan
      sends none)
    - ``needs_prompt``: the model refuses to run without one (the request
      flags it before anything runs)
    - ``takes_seed``: the model takes a seed (the plan sends none otherwise,
      and provenance records none)
    - ``min_source_side``, ``max_source_pixels``: what the provider accepts
      as a source image (0: no limit); a source outside them is listed as
      failed before anything is sent
    - ``price``: what one output costs (:mod:`core.pricing`), dated and
      sourced; None for a local model, or a hosted one whose price could
      not be confirmed (its cost is then "unknown")
    """

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    secret: ClassVar[Optional[str]] = None
    packages: ClassVar[Dict[str, str]] = {}
    concurrency: ClassVar[int] = 1
    max_concurrency: ClassVar[Optional[int]] = None
    rate_limit: ClassVar[Optional[RateLimit]] = None
    params: ClassVar[Tuple] = ()
    packs_inputs: ClassVar[bool] = False

    max_batch: int = 1
    takes_prompt: bool = True
    needs_prompt: bool = False
    takes_seed: bool = True
    min_source_side: int = 0
    max_source_pixels: int = 0
    price: Any = None

    @property
    def ref(self):
        """What the provider calls this model (repo id, model ref, name)."""
        raise NotImplementedError

    def missing(self, secrets):
        """Returns what the user must do before this backend can run, as a
        list of sentences (empty when ready). Imports nothing heavy."""
        fixes = []
        absent = [
            pip for module, pip in self.packages.items()
            if importlib.util.find_spec(module) is None
        ]
        if absent:
            fixes.append(
                f"install {' '.join(absent)} (pip install {' '.join(absent)}, "
                "or: fiftyone plugins requirements @multigen/generate --install)"
            )
        if self.secret and not secrets.get(self.secret):
            fixes.append(
                f"set {self.secret} (an environment variable or FiftyOne secret)"
            )
        return fixes

    def notes(self, secrets):
        """Advice for the form that does not stop a run."""
        return []

    def check(self, options, secrets, check_ready=True):
        """Problems with option values that only the backend can judge (a
        chain checks its steps' models), as {option name: message}."""
        return {}

    def source_problem(self, path):
        """Why the provider would refuse the image at ``path`` as a source
        (its declared limits), or None. Reads the image header only."""
        if not (self.min_source_side or self.max_source_pixels):
            return None
        from PIL import Image

        try:
            with Image.open(path) as image:
                width, height = image.size
        except (OSError, ValueError) as e:
            return f"cannot read the source image: {e}"
        if min(width, height) < self.min_source_side:
            return (f"{self.label} needs a source image of at least "
                    f"{self.min_source_side} px a side; this one is {width}x{height}")
        if self.max_source_pixels and width * height > self.max_source_pixels:
            return (f"{self.label} takes source images of at most "
                    f"{self.max_source_pixels:,} pixels; this one is {width}x{height}")
        return None

    def effective(self, options):
        """The options as they act on this backend: what the provider would
        ignore is set to None, so provenance records only what acted."""
        return options

    def generate(self, job: Job, secrets) -> List[Output]:
        """Runs ``job`` and returns ``job.count`` outputs (or fewer, with
        ``GenerationError`` raised for a total failure)."""
        raise NotImplementedError

    def packs(self, options, secrets):
        """Whether items with these options run in the run's local lane
        (``generate_many`` with all of them at once) rather than one request
        each. A backend decides by what it is; a chain by its steps."""
        return self.packs_inputs

    def generate_many(self, jobs, secrets):
        """Runs several jobs of one model and options; yields ``(job,
        outputs, error)`` as each finishes (``error``: a ``GenerationError``
        saying why outputs are missing, or None). Backends that declare
        ``packs_inputs`` pack them into fewer calls."""
        for job in jobs:
            try:
                yield job, self.generate(job, secrets), None
            except GenerationError as e:
                yield job, [], e


def ext_from_content_type(content_type, default="png"):
    content_type = (content_type or "").split(";")[0].strip().lower()
    return {
        "image/png": "png",
        "image/jpeg": "jpg",
        "image/jpg": "jpg",
        "image/webp": "webp",
        "video/mp4": "mp4",
        "model/gltf-binary": "glb",
        "application/octet-stream": default,
    }.get(content_type, default)
