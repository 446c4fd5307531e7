"""Local emulator of OpenAI's Images API (generations and edits) for GPT Image models.

Emulated behaviour (api.openai.com/v1, as of the `openai` 3.x client):

* ``POST /v1/images/generations`` with a JSON body. GPT Image models always
  answer base64: ``{"created", "data": [{"b64_json"}], "background",
  "output_format", "quality", "size", "usage": {...}}`` (``auto`` values
  resolved, as the API reports what it used) and an ``x-request-id: req_...``
  header. The image is the asked size divided by ``scale`` (16 by default:
  1536x1024 -> 96x64), so its aspect ratio matches ``size``, encoded per
  ``output_format``.
* ``POST /v1/images/edits`` with a multipart body (as the client sends it):
  text fields read as their schema types (docs/schemas/openai/images-edits.json,
  ``CreateImageEditRequest``), the ``image`` file (or ``image[]``, up to 16)
  and an optional ``mask`` that must be a PNG under 4 MB with the image's
  dimensions (the mask's description). A mask with no alpha channel has no
  transparent (editable) area and is refused, a deliberate strictness. The
  answer is the generation answer: the asked size (``auto``: 1024x1024)
  divided by ``scale``.
* Everything a request may hold comes from OpenAI's published reference,
  the snapshot docs/schemas/openai/images-generations.json
  (``CreateImageRequest``): the parameters, their enums and ranges, and the
  models. Of the models it lists, ``dall-e-2``, ``dall-e-3`` and
  ``gpt-image-1`` are retired and answer 404 ``model_not_found`` "The model
  `x` has been deprecated ..."; any other name answers 404
  ``model_not_found`` "... does not exist or you do not have access to it".
* Sizes, per model (the snapshot's ``models``): ``1024x1024``,
  ``1536x1024``, ``1024x1536``, ``auto`` for gpt-image-1.5 and 1-mini;
  ``gpt-image-2`` takes any ``WxH`` with both sides divisible by 16, max edge
  3840, ratio within 3:1 and 655,360 to 8,294,400 pixels.
* Errors are ``{"error": {"message", "type", "param", "code"}}``: 400
  ``invalid_request_error`` for bad values (``invalid_value``,
  ``integer_above_max_value``, ``integer_below_min_value``,
  ``missing_required_parameter``, ``unknown_parameter`` e.g. for
  ``response_format`` / ``style``), 401 ``invalid_api_key``.
* Faults (``fail_next``): ``rate_limit`` (429 ``rate_limit_exceeded``; with
  ``retry_after=`` seconds it sends ``retry-after`` and ``retry-after-ms``,
  which the client honours), ``quota`` (429 ``insufficient_quota``),
  ``server_error`` (500, or ``status=503``), ``bad_request`` (400
  ``invalid_value`` naming ``field=``), ``moderation_blocked`` (400
  ``image_generation_user_error`` / ``moderation_blocked``).
"""

from __future__ import annotations

import base64
import json
import math
import re
import secrets
import time
from typing import Any, Callable

from . import snapshots
from .base import Fault, ProtocolServer, RecordedRequest, Response, json_response
from .media import image_bytes

__all__ = ["OpenAIServer", "FLEXIBLE_SIZE_MODELS", "FIXED_SIZES", "RETIRED_MODELS", "VALID_MODELS"]

SNAPSHOT = snapshots.load("openai", "images-generations")
EDITS = snapshots.load("openai", "images-edits")
EDIT_PARAMS = frozenset(EDITS["input"]["properties"]) - frozenset(EDITS["x-multigen-not-for-gpt-image"])
MASK_RULES = EDITS["x-multigen-mask"]
_PROPS = SNAPSHOT["input"]["properties"]
_LISTED = frozenset(_PROPS["model"]["anyOf"][1]["enum"])
#: listed in the reference, retired since (docs/providers-research.md section 4)
RETIRED_MODELS = frozenset({"dall-e-2", "dall-e-3", "gpt-image-1"})
VALID_MODELS = _LISTED - RETIRED_MODELS
FLEXIBLE_SIZE_MODELS = frozenset(m for m, own in SNAPSHOT["models"].items()
                                 if "x-multigen-size-rules" in own.get("size", {}))
FIXED_SIZES = tuple(SNAPSHOT["models"]["gpt-image-1.5"]["size"]["enum"])
#: the parameters the endpoint knows for GPT Image models; others are "Unknown parameter"
KNOWN_PARAMS = frozenset(_PROPS) - frozenset(SNAPSHOT["x-multigen-not-for-gpt-image"])


class _Invalid(Exception):
    def __init__(self, message: str, param: str | None, code: str | None, status: int = 400,
                 type_: str = "invalid_request_error"):
        super().__init__(message)
        self.body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
        self.status = status


def _quote_list(values) -> str:
    q = [f"'{v}'" for v in values]
    return ", ".join(q[:-1]) + f", and {q[-1]}" if len(q) > 1 else q[0]


def _enum(body: dict, name: str, allowed) -> None:
    value = body.get(name)
    if value is not None and value not in allowed:
        raise _Invalid(f"Invalid value: '{value}'. Supported values are: {_quote_list(allowed)}.",
                       name, "invalid_value")


class OpenAIServer(ProtocolServer):
    """OpenAI Images API emulator. See the module docstring.

    Args:
        expected_key: the accepted API key.
        latency: seconds each successful generation takes.
        scale: the image is ``size`` divided by this (16: 1024x1024 -> 64x64).
        revised_prompt: None (omit, as GPT Image models do), True (echo the
            prompt), a string, or ``callable(prompt) -> str``.
        models: accepted model names (default ``VALID_MODELS``).
    """

    FAULT_KINDS = ProtocolServer.FAULT_KINDS | {"moderation_blocked", "quota"}

    def __init__(
        self,
        expected_key: str = "sk-test-key",
        *,
        latency: float = 0.0,
        scale: int = 16,
        revised_prompt: bool | str | Callable[[str], str] | None = None,
        models: frozenset[str] | set[str] | None = None,
        host: str = "127.0.0.1",
    ):
        super().__init__(expected_key, latency=latency, host=host)
        self.scale = scale
        self.revised_prompt = revised_prompt
        self.models = frozenset(models) if models is not None else VALID_MODELS

    # -- plumbing ----------------------------------------------------------------
    @staticmethod
    def _error(status: int, message: str, type_: str, param: str | None, code: str | None,
               headers: dict | None = None, **extra: Any) -> Response:
        err = {"message": message, "type": type_, "param": param, "code": code, **extra}
        hdrs = {"x-request-id": f"req_{secrets.token_hex(16)}"}
        hdrs.update(headers or {})
        return json_response(status, {"error": err}, hdrs)

    def handle(self, request: RecordedRequest) -> Response:
        path = request.path.rstrip("/")
        if path not in ("/v1/images/generations", "/v1/images/edits"):
            return self._error(404, f"Invalid URL ({request.method} {request.path})",
                               "invalid_request_error", None, None)
        if request.method != "POST":
            return self._error(405, f"Invalid method for URL ({request.method} {request.path})",
                               "invalid_request_error", None, None)
        token = self.bearer_token(request)
        if not token:
            return self._error(
                401, "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as "
                "the password field (with blank username) if you're accessing the API from your "
                "browser and are prompted for a username and password. You can obtain an API key "
                "from https://platform.openai.com/account/api-keys.", "invalid_request_error", None, None)
        if token != self.expected_key:
            shown = token[:3] + "*" * 5 + token[-4:] if len(token) > 8 else token
            return self._error(
                401, f"Incorrect API key provided: {shown}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.", "invalid_request_error", None,
                "invalid_api_key")
        fault = self.take_fault(request)
        if fault is not None:
            return self._fault_response(fault, request)
        wait = self.over_rate_limit()  # rate_limit set: the organisation's tier
        if wait is not None:
            return self._fault_response(Fault("rate_limit", {"retry_after": wait}), request)
        try:
            params = (self._validate_edit(request) if path.endswith("/edits")
                      else self._validate(request))
        except _Invalid as exc:
            return json_response(exc.status, exc.body, {"x-request-id": f"req_{secrets.token_hex(16)}"})
        self.sleep_latency()
        return self._generate(params)

    def _fault_response(self, fault: Fault, request: RecordedRequest) -> Response:
        o = fault.options
        model = request.json.get("model") if isinstance(request.json, dict) else None
        if fault.kind == "rate_limit":
            secs = o.get("retry_after")
            headers = {"x-ratelimit-limit-requests": "5", "x-ratelimit-remaining-requests": "0"}
            wait = "1s"
            if secs is not None:
                headers["retry-after"] = str(max(1, math.ceil(secs)))  # whole seconds, as sent
                headers["retry-after-ms"] = str(int(secs * 1000))
                wait = f"{secs:g}s"
            return self._error(
                429, f"Rate limit reached for {model} in organization org-emulator on images per "
                f"minute (IPM): Limit 5, Used 5, Requested 1. Please try again in {wait}. Visit "
                "https://platform.openai.com/account/rate-limits to learn more.",
                "requests", None, "rate_limit_exceeded", headers)
        if fault.kind == "quota":
            return self._error(
                429, "You exceeded your current quota, please check your plan and billing details. "
                "For more information on this error, read the docs: "
                "https://platform.openai.com/docs/guides/error-codes/api-errors.",
                "insufficient_quota", None, "insufficient_quota")
        if fault.kind == "server_error":
            status = int(o.get("status", 500))
            msg = ("The server is overloaded or not ready yet." if status == 503 else
                   "The server had an error while processing your request. Sorry about that!")
            return self._error(status, o.get("message", msg), "server_error", None, None)
        if fault.kind == "bad_request":
            fld = o.get("field", "size")
            return self._error(400, o.get("message", f"Invalid value for '{fld}'."),
                               "invalid_request_error", fld, "invalid_value")
        # moderation_blocked
        rid = f"req_{secrets.token_hex(16)}"
        categories = o.get("categories", ["sexual"])
        return self._error(
            400, "Your request was rejected by the safety system. If you believe this is an error, "
            f"contact us at help.openai.com and include the request ID {rid}. "
            f"safety_violations=[{', '.join(categories)}].",
            "image_generation_user_error", None, "moderation_blocked", {"x-request-id": rid},
            moderation_details={"moderation_stage": o.get("stage", "input"), "categories": categories})

    # -- validation ------------------------------------------------------------------
    def _validate(self, request: RecordedRequest) -> dict:
        body = request.json
        if not isinstance(body, dict):
            raise _Invalid("We could not parse the JSON body of your request. (HINT: This likely means "
                           "you aren't using your HTTP library correctly. The OpenAI API expects a JSON "
                           "payload, but what was sent was not valid JSON.)", None, None)
        return self._validate_body(body, SNAPSHOT, KNOWN_PARAMS)

    def _validate_edit(self, request: RecordedRequest) -> dict:
        from PIL import Image
        import io

        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise _Invalid("Edits take a multipart/form-data body with the image file.", None, None)
        props = EDITS["input"]["properties"]
        body = {name: snapshots.from_form(props.get(name, {}), value)
                for name, value in request.form.items()}
        images = [f for name, f in request.files.items() if name in ("image", "image[]")]
        if not images:
            raise _Invalid("Missing required parameter: 'image'.", "image", "missing_required_parameter")
        unknown = [name for name in request.files if name not in ("image", "image[]", "mask")]
        if unknown:
            raise _Invalid(f"Unknown parameter: '{unknown[0]}'.", unknown[0], "unknown_parameter")
        sizes = []
        for f in images:
            try:
                with Image.open(io.BytesIO(f.data)) as img:
                    img.verify()
                    sizes.append(img.size)
            except Exception:
                raise _Invalid("Invalid image file or mode for image 1, please check your image file.",
                               "image", "invalid_image_file") from None
        mask = request.files.get("mask")
        if mask is not None:
            try:
                with Image.open(io.BytesIO(mask.data)) as img:
                    fmt, size, bands = img.format, img.size, img.getbands()
            except Exception:
                fmt, size, bands = None, None, ()
            if fmt != "PNG" or len(mask.data) >= MASK_RULES["max_bytes"]:
                raise _Invalid("Invalid mask image: it must be a PNG file under 4MB.", "mask",
                               "invalid_value")
            if size != sizes[0]:
                raise _Invalid(f"Invalid mask image: its size {size[0]}x{size[1]} does not match the "
                               f"image's {sizes[0][0]}x{sizes[0][1]}.", "mask", "invalid_value")
            if "A" not in bands:
                raise _Invalid("Invalid mask image: it has no alpha channel, so no transparent "
                               "area to edit.", "mask", "invalid_value")
        body.setdefault("model", EDITS["input"]["properties"]["model"]["default"])
        params = self._validate_body(body, EDITS, EDIT_PARAMS)
        params.update(image_sizes=sizes, masked=mask is not None)
        return params

    def _validate_body(self, body: dict, snapshot: dict, known) -> dict:
        for name in body:
            if name not in known:
                raise _Invalid(f"Unknown parameter: '{name}'.", name, "unknown_parameter")
        for name in ("prompt", "model"):
            if body.get(name) in (None, ""):
                raise _Invalid(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
        model = body["model"]
        if model in RETIRED_MODELS:
            raise _Invalid(f"The model `{model}` has been deprecated, learn more here: "
                           "https://platform.openai.com/docs/deprecations", None, "model_not_found", 404)
        if model not in self.models:
            raise _Invalid(f"The model `{model}` does not exist or you do not have access to it.",
                           None, "model_not_found", 404)
        if not isinstance(body["prompt"], str) or len(body["prompt"]) > 32000:
            raise _Invalid("Invalid 'prompt': string too long. Expected a string with maximum length "
                           f"32000, but got a string with length {len(str(body['prompt']))} instead.",
                           "prompt", "string_above_max_length")
        schema = snapshots.narrowed(snapshot, model)["properties"]
        n = body.get("n", 1)
        n = 1 if n is None else n
        self._int_range("n", n, schema["n"]["minimum"], schema["n"]["maximum"])
        if body.get("output_compression") is not None:  # 0-100 (its description)
            self._int_range("output_compression", body["output_compression"], 0, 100)
        if body.get("partial_images") is not None:
            bounds = schema["partial_images"]["anyOf"][0]
            self._int_range("partial_images", body["partial_images"], bounds["minimum"],
                            bounds["maximum"])
        for name in ("quality", "background", "output_format", "moderation"):
            if name in schema:
                _enum(body, name, schema[name]["enum"])
        fmt = body.get("output_format") or "png"
        if body.get("background") == "transparent" and fmt == "jpeg":
            raise _Invalid("Transparent background is not supported for output format 'jpeg'. Use "
                           "'png' or 'webp'.", "background", "invalid_value")
        if body.get("stream"):
            raise _Invalid("Streaming is not supported by this emulator.", "stream", "invalid_value")
        width, height = self._size(model, body.get("size") or "auto")
        return {
            "model": model, "prompt": body["prompt"], "n": n, "format": fmt,
            "width": width, "height": height,
            "quality": {"auto": "medium", None: "medium"}.get(body.get("quality"), body.get("quality")),
            "background": body.get("background") if body.get("background") in ("transparent", "opaque") else "opaque",
        }

    @staticmethod
    def _int_range(name: str, value: Any, lo: int, hi: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(f"Invalid type for '{name}': expected an integer, but got "
                           f"{type(value).__name__} instead.", name, "invalid_type")
        if value < lo:
            raise _Invalid(f"Invalid '{name}': integer below minimum value. Expected a value >= {lo}, "
                           f"but got {value} instead.", name, "integer_below_min_value")
        if value > hi:
            raise _Invalid(f"Invalid '{name}': integer above maximum value. Expected a value <= {hi}, "
                           f"but got {value} instead.", name, "integer_above_max_value")

    @staticmethod
    def _size(model: str, size: str) -> tuple[int, int]:
        if size == "auto":
            return 1024, 1024
        if model not in FLEXIBLE_SIZE_MODELS:
            if size not in FIXED_SIZES:
                raise _Invalid(f"Invalid value: '{size}'. Supported values are: {_quote_list(FIXED_SIZES)}.",
                               "size", "invalid_value")
            w, h = size.split("x")
            return int(w), int(h)
        m = re.fullmatch(r"(\d+)x(\d+)", str(size))
        if not m:
            raise _Invalid(f"Invalid size '{size}'. Expected 'auto' or a size in the form "
                           "WIDTHxHEIGHT, e.g. '1536x864'.", "size", "invalid_value")
        w, h = int(m.group(1)), int(m.group(2))
        rules = SNAPSHOT["models"][model]["size"]["x-multigen-size-rules"]
        problem = None
        if w % rules["multiple_of"] or h % rules["multiple_of"]:
            problem = f"Width and height must both be divisible by {rules['multiple_of']}."
        elif max(w, h) > rules["max_edge"]:
            problem = f"The longest edge must be at most {rules['max_edge']} pixels."
        elif max(w, h) > rules["max_ratio"] * min(w, h):
            problem = f"The aspect ratio must be between 1:{rules['max_ratio']} and {rules['max_ratio']}:1."
        elif not rules["min_pixels"] <= w * h <= rules["max_pixels"]:
            problem = (f"The total number of pixels must be between {rules['min_pixels']} and "
                       f"{rules['max_pixels']}.")
        if problem:
            raise _Invalid(f"Invalid size '{size}'. {problem}", "size", "invalid_value")
        return w, h

    # -- success -----------------------------------------------------------------------
    def _generate(self, p: dict) -> Response:
        w, h = max(1, p["width"] // self.scale), max(1, p["height"] // self.scale)
        img = image_bytes(w, h, p["format"], transparent=p["background"] == "transparent")
        item: dict[str, Any] = {"b64_json": base64.b64encode(img).decode()}
        if self.revised_prompt is not None and self.revised_prompt is not False:
            rp = self.revised_prompt
            item["revised_prompt"] = (p["prompt"] if rp is True else rp(p["prompt"]) if callable(rp) else rp)
        text_tokens = max(1, len(p["prompt"]) // 4)
        image_tokens = {"low": 272, "medium": 1056, "high": 4160}.get(p["quality"], 1056) * p["n"]
        body: dict[str, Any] = {
            "created": int(time.time()),
            "background": p["background"],
            "data": [dict(item) for _ in range(p["n"])],
            "output_format": p["format"],
            "quality": p["quality"],
            "size": f"{p['width']}x{p['height']}",
            "usage": {
                "input_tokens": text_tokens,
                "input_tokens_details": {"image_tokens": 0, "text_tokens": text_tokens},
                "output_tokens": image_tokens,
                "output_tokens_details": {"image_tokens": image_tokens, "text_tokens": 0},
                "total_tokens": text_tokens + image_tokens,
            },
        }
        headers = {
            "Content-Type": "application/json",
            "x-request-id": f"req_{secrets.token_hex(16)}",
            "openai-processing-ms": str(int(self.latency * 1000)),
        }
        headroom = self.rate_headroom()
        if headroom is not None:  # as OpenAI reports its limits on every answer
            left, reset = headroom
            headers.update({"x-ratelimit-limit-requests": str(self.rate_limit[0]),
                            "x-ratelimit-remaining-requests": str(left),
                            "x-ratelimit-reset-requests": f"{reset:.3f}s"})
        return Response(200, json.dumps(body).encode(), headers)
