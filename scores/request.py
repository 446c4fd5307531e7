"""The ``score`` operator's params, validated in one place for the form,
the SDK call and ``execute``. Params look like::

    {"metrics": ["clip_score", "aesthetic"], "prompt_field": "caption",
     "frames": 8, "batch_size": 32, "rescore": False, "shards": 1}

Problems are keyed ``(None, name)`` as generation requests' are.
"""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from ..core import metrics as registry
from ..core.params import BOOL, INT, Param
from .pictures import VIDEO_FRAMES
from .scoring import BATCH_SIZE

FRAMES = Param("frames", INT, default=VIDEO_FRAMES, min=1, max=64, label="Frames",
               help="Pictures scored per video or 3D preview, spread evenly; its "
               "score is their mean (their minimum is recorded beside it)")
BATCH = Param("batch_size", INT, default=BATCH_SIZE, min=1, max=1024, label="Batch size",
              help="Pictures per forward pass (lower it if the GPU runs out of memory)")
RESCORE = Param("rescore", BOOL, default=False, label="Score again",
                help="Also score samples already scored with the same metric version")
RUN_PARAMS = (FRAMES, BATCH, RESCORE)


@dataclass
class ScoreRequest:
    metric_ids: List[str] = field(default_factory=list)
    prompt_field: Optional[str] = None
    frames: int = VIDEO_FRAMES
    batch_size: int = BATCH_SIZE
    rescore: bool = False
    shards: int = 1
    errors: Dict = field(default_factory=dict)

    @property
    def valid(self):
        return not self.errors

    def error_text(self):
        return "; ".join(f"{name}: {message}" for (_, name), message in self.errors.items())

    def session_options(self):
        return dict(prompt_field=self.prompt_field, frames=self.frames,
                    batch_size=self.batch_size, rescore=self.rescore)


def parse(params, view=None):
    """Validates ``params``; ``view`` holds the samples whose
    ``prompt_field`` is checked."""
    request = ScoreRequest()
    try:
        request.metric_ids = registry.parse_ids(params.get("metrics"))
        if not request.metric_ids:
            request.errors[None, "metrics"] = "choose at least one metric"
    except ValueError as e:
        request.errors[None, "metrics"] = str(e)
    for param in RUN_PARAMS:
        try:
            value = param.coerce(params.get(param.name))
        except ValueError as e:
            request.errors[None, param.name] = str(e)
            continue
        setattr(request, param.name, param.default if value is None else value)
    try:
        request.shards = int(params.get("shards") or 1)
        if not 1 <= request.shards <= 64:
            raise ValueError
    except (TypeError, ValueError):
        request.errors[None, "shards"] = "shards must be a whole number from 1 to 64"
    name = params.get("prompt_field") or None
    if name is not None and view is not None and not view.has_field(name):
        request.errors[None, "prompt_field"] = f"the samples have no field {name!r}"
    request.prompt_field = name
    return request
