"""Local emulator of Stability AI's REST API (v2beta Stable Image + 3D).

Emulated behaviour (api.stability.ai):

* Every field is checked against the endpoint's published request schema,
  the snapshots in docs/schemas/stability (types, enums, ranges, required
  fields; form text read as the field's type). Unknown fields are ignored.
* ``POST /v2beta/stable-image/generate/{ultra,core,sd3}``: the body must be
  ``multipart/form-data`` (with ``requests`` that means passing ``files=``,
  e.g. the documented ``files={"none": ""}``, even with no file; a
  url-encoded or JSON body is a 400). sd3's ``mode`` image-to-image needs
  ``image`` and ``strength``, ultra's ``image`` needs ``strength``.
* ``Accept: image/*`` (or none / ``*/*``) answers the raw image with
  ``content-type`` image/png|jpeg|webp and headers ``finish-reason``
  (SUCCESS / CONTENT_FILTERED) and ``seed``; ``Accept: application/json``
  answers ``{"image": <base64>, "finish_reason", "seed"}``. The image has the
  aspect ratio's real output size divided by ``scale`` (1:1 -> 64x64,
  16:9 -> 84x48).
* ``POST /v2beta/3d/stable-fast-3d`` and ``/v2beta/3d/stable-point-aware-3d``
  answer a GLB (``model/gltf-binary``) synchronously. The input image must
  decode and meet the snapshot's image rules (``x-multigen-image``: every
  side at least 64 px, SPAR3D 640 px; 4,096..4,194,304 pixels).
* ``POST /v2beta/stable-image/edit/{inpaint,search-and-replace,
  search-and-recolor,erase}``: the ``image`` file must decode; ``mask``
  (inpaint, erase) must decode too; prompts the schema requires may not be
  blank. The edit comes back at the input image's size, as image/* or JSON
  like the generate endpoints.
* ``GET /v1/user/balance`` -> ``{"credits": <credits>}`` (key checks).
* Errors: ``{"id": <32 hex>, "name": ..., "errors": [...]}`` with names
  ``bad_request`` (400), ``unauthorized`` (401), ``content_moderation`` (403),
  ``payment_required`` (402), ``rate_limit_exceeded`` (429, no Retry-After
  header: the API documents a 60 s time-out), ``internal_error`` (500).
* Faults (``fail_next``): ``rate_limit``, ``server_error`` (500, or
  ``status=503``), ``bad_request`` (naming ``field=``), ``moderation``
  (403), ``content_filtered`` (200 with ``finish-reason: CONTENT_FILTERED``),
  ``payment_required`` (402).
"""

from __future__ import annotations

import base64
import io
import re
import secrets
from . import snapshots
from .base import Fault, ProtocolServer, RecordedRequest, Response, json_response
from .media import glb_bytes, image_bytes, mime_for

__all__ = ["StabilityServer", "ASPECT_SIZES", "SD3_MODELS", "STYLE_PRESETS"]

#: aspect_ratio -> the output size the real API renders (about 1 megapixel)
ASPECT_SIZES = {
    "1:1": (1024, 1024), "16:9": (1344, 768), "9:16": (768, 1344), "21:9": (1536, 640),
    "9:21": (640, 1536), "3:2": (1216, 832), "2:3": (832, 1216), "5:4": (1088, 896),
    "4:5": (896, 1088),
}
ENDPOINTS = {"ultra": "stable-image/generate/ultra", "core": "stable-image/generate/core",
             "sd3": "stable-image/generate/sd3", "sf3d": "3d/stable-fast-3d",
             "spar3d": "3d/stable-point-aware-3d",
             **{f"edit-{name}": f"stable-image/edit/{name}" for name in
                ("inpaint", "search-and-replace", "search-and-recolor", "erase")}}
SCHEMAS = {route: snapshots.load("stability", endpoint) for route, endpoint in ENDPOINTS.items()}
SD3_MODELS = tuple(SCHEMAS["sd3"]["input"]["properties"]["model"]["enum"])
STYLE_PRESETS = tuple(SCHEMAS["core"]["input"]["properties"]["style_preset"]["enum"])
MAX_SEED = SCHEMAS["core"]["input"]["properties"]["seed"]["maximum"]


class _BadRequest(Exception):
    pass


def _number(form: dict, name: str, default=None):
    raw = form.get(name)
    return default if raw in (None, "") else float(raw)


def _check(route: str, form: dict, files: dict) -> dict:
    """The form's fields read as their schema types, after checking them
    against the endpoint's snapshot; raises _BadRequest as Stability words it
    (``field: what is wrong``)."""
    schema = SCHEMAS[route]["input"]
    props = schema["properties"]
    body = {name: snapshots.from_form(props.get(name, {}), value) for name, value in form.items()}
    for name in files:
        if name in props:
            body[name] = "<binary>"
    for problem in snapshots.check(schema, body, additional=True):
        raise _BadRequest(_stability_wording(problem))
    return body


def _stability_wording(p: snapshots.Problem) -> str:
    if p.kind == "required":
        return f"{p.field}: is required"
    if p.kind == "enum":
        return f"{p.field}: must be one of {', '.join(map(str, p.limit))}"
    if p.kind == "invalid_type":
        return f"{p.field}: expected {'an integer' if p.limit == 'integer' else 'a ' + p.limit}, got '{p.value}'"
    if p.kind == "number_gte":
        return f"{p.field}: must be greater than or equal to {snapshots.number_text(p.limit)}"
    if p.kind == "number_lte":
        return f"{p.field}: must be less than or equal to {snapshots.number_text(p.limit)}"
    if p.kind == "string_lte":
        return f"{p.field}: must be at most {p.limit} characters"
    return f"{p.field}: is invalid"


class StabilityServer(ProtocolServer):
    """Stability AI REST API emulator. See the module docstring.

    Args:
        expected_key: the accepted API key (``Authorization: Bearer <key>``).
        latency: seconds each successful generation takes.
        scale: generated images are the real output size divided by this.
        credits: what ``GET /v1/user/balance`` reports.
    """

    FAULT_KINDS = ProtocolServer.FAULT_KINDS | {"content_filtered", "moderation", "payment_required"}

    def __init__(self, expected_key: str = "sk-stability-test", *, latency: float = 0.0, scale: int = 16,
                 credits: float = 100.0, host: str = "127.0.0.1"):
        super().__init__(expected_key, latency=latency, host=host)
        self.scale = scale
        self.credits = credits

    # -- plumbing ------------------------------------------------------------------
    @staticmethod
    def _error(status: int, name: str, *errors: str) -> Response:
        return json_response(status, {"id": secrets.token_hex(16), "name": name, "errors": list(errors)})

    def handle(self, request: RecordedRequest) -> Response:
        path = request.path.rstrip("/")
        m = re.fullmatch(r"/v2beta/stable-image/generate/(ultra|core|sd3)", path)
        edit = re.fullmatch(r"/v2beta/stable-image/edit/([a-z-]+)", path)
        if m:
            route = m.group(1)
        elif edit:
            route = f"edit-{edit.group(1)}" if f"edit-{edit.group(1)}" in ENDPOINTS else None
        else:
            route = {"/v2beta/3d/stable-fast-3d": "sf3d",
                     "/v2beta/3d/stable-point-aware-3d": "spar3d",
                     "/v1/user/balance": "balance"}.get(path)
        if route is None:
            return self._error(404, "not_found", f"{request.method} {request.path}: route not found")
        if self.bearer_token(request) != self.expected_key:
            return self._error(401, "unauthorized", "authorization: invalid or missing header value")
        if route == "balance":
            if request.method != "GET":
                return self._error(405, "method_not_allowed", f"{request.method} is not allowed")
            return json_response(200, {"credits": self.credits})
        if request.method != "POST":
            return self._error(405, "method_not_allowed", f"{request.method} is not allowed")

        fault = self.take_fault(request)
        if fault is not None and fault.kind != "content_filtered":
            return self._fault_response(fault)
        if self.over_rate_limit() is not None:  # rate_limit set: Stability's 150 per 10 s
            return self._fault_response(Fault("rate_limit", {}))
        try:
            if not request.headers.get("content-type", "").startswith("multipart/form-data"):
                raise _BadRequest("content-type: must be multipart/form-data")
            if route in ("sf3d", "spar3d"):
                self._validate_3d(route, request)
                self.sleep_latency()
                return Response(200, glb_bytes(), {"Content-Type": mime_for("glb")})
            accept = self._accept(request)
            if route.startswith("edit-"):
                params = self._validate_edit(route, request.form, request.files)
                self.sleep_latency()
                return self._image(params, accept, filtered=fault is not None)
            params = self._validate_image(route, request.form, request.files)
        except _BadRequest as exc:
            return self._error(400, "bad_request", str(exc))
        self.sleep_latency()
        return self._image(params, accept, filtered=fault is not None)

    def _fault_response(self, fault: Fault) -> Response:
        o = fault.options
        if fault.kind == "rate_limit":
            return self._error(429, "rate_limit_exceeded",
                               "You have exceeded the rate limit of 150 requests within a 10 second "
                               "period, and have been timed out for 60 seconds.")
        if fault.kind == "server_error":
            status = int(o.get("status", 500))
            return self._error(status, "internal_error",
                               o.get("message", "An unexpected server error has occurred, please try again later."))
        if fault.kind == "bad_request":
            return self._error(400, "bad_request", o.get("message", f"{o.get('field', 'prompt')}: is invalid"))
        if fault.kind == "payment_required":
            return self._error(402, "payment_required", "lack of funds")
        return self._error(403, "content_moderation",  # moderation
                           "Your request was flagged by our content moderation system, as a result "
                           "your request was denied and you were not charged.")

    # -- stable image ------------------------------------------------------------------
    @staticmethod
    def _accept(request: RecordedRequest) -> str:
        accept = request.headers.get("accept", "image/*").strip() or "image/*"
        if accept.startswith("application/json"):
            return "json"
        if accept.startswith("image/") or accept.startswith("*/*"):
            return "image"
        raise _BadRequest("accept: must be either image/* or application/json")

    def _validate_image(self, route: str, form: dict, files: dict) -> dict:
        body = _check(route, form, files)
        if not str(body.get("prompt", "")).strip():
            raise _BadRequest("prompt: cannot be empty")
        if route == "sd3" and body.get("mode") == "image-to-image":
            if "image" not in files:
                raise _BadRequest("image: is required when mode is image-to-image")
            if _number(form, "strength") is None:
                raise _BadRequest("strength: is required when mode is image-to-image")
            self._check_image(route, files["image"].data)
        elif route == "ultra" and "image" in files and _number(form, "strength") is None:
            raise _BadRequest("strength: is required when an image is provided")
        seed = int(body.get("seed") or 0)
        return {"aspect": body.get("aspect_ratio", "1:1"), "format": body.get("output_format", "png"),
                "seed": seed or secrets.randbelow(MAX_SEED) + 1}

    def _validate_edit(self, route: str, form: dict, files: dict) -> dict:
        from PIL import Image

        body = _check(route, form, files)
        schema = SCHEMAS[route]["input"]
        for name in schema.get("required", []):
            if name not in ("image",) and not str(body.get(name, "")).strip():
                raise _BadRequest(f"{name}: cannot be empty")
        sizes = {}
        for name in ("image", "mask"):
            if name not in files:
                continue
            try:
                with Image.open(io.BytesIO(files[name].data)) as img:
                    img.verify()
                    sizes[name] = img.size
            except Exception:
                raise _BadRequest(f"{name}: could not be decoded; supported formats are jpeg, "
                                  "png, webp") from None
        seed = int(body.get("seed") or 0)
        return {"size": sizes["image"], "format": body.get("output_format", "png"),
                "seed": seed or secrets.randbelow(MAX_SEED) + 1}

    def _image(self, p: dict, accept: str, filtered: bool) -> Response:
        color = (128, 128, 128) if filtered else (40, 120, 200)
        if "size" in p:  # an edit: the input's own size
            w, h = p["size"]
            data = image_bytes(w, h, p["format"], color)
        else:
            w, h = ASPECT_SIZES[p["aspect"]]
            data = image_bytes(max(1, w // self.scale), max(1, h // self.scale), p["format"], color)
        reason = "CONTENT_FILTERED" if filtered else "SUCCESS"
        if accept == "json":
            return json_response(200, {"image": base64.b64encode(data).decode(), "finish_reason": reason,
                                       "seed": p["seed"]})
        return Response(200, data, {"Content-Type": mime_for(p["format"]), "finish-reason": reason,
                                    "seed": str(p["seed"])})

    # -- 3D ------------------------------------------------------------------------------
    @staticmethod
    def _check_image(route: str, data: bytes) -> None:
        from PIL import Image

        rules = SCHEMAS[route].get("x-multigen-image", {"min_side": 64, "min_pixels": 4096,
                                                        "max_pixels": 4_194_304})
        try:
            with Image.open(io.BytesIO(data)) as img:
                img.verify()
                w, h = img.size
        except Exception:
            raise _BadRequest("image: could not be decoded; supported formats are jpeg, png, webp") from None
        if min(w, h) < rules["min_side"]:
            raise _BadRequest(f"image: every side must be at least {rules['min_side']} pixels (got {w}x{h})")
        if not rules["min_pixels"] <= w * h <= rules["max_pixels"]:
            raise _BadRequest(f"image: total pixel count must be between {rules['min_pixels']:,} and "
                              f"{rules['max_pixels']:,} (got {w * h})")

    def _validate_3d(self, route: str, request: RecordedRequest) -> None:
        form, files = request.form, request.files
        if "image" not in files or not files["image"].data:
            raise _BadRequest("image: is required")
        _check(route, form, files)
        self._check_image(route, files["image"].data)
