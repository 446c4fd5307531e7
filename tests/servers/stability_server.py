"""Local emulator of Stability AI's REST API (v2beta Stable Image + 3D).

Emulated behaviour (api.stability.ai):

* ``POST /v2beta/stable-image/generate/{ultra,core,sd3}``: the body must be
  ``multipart/form-data`` (with ``requests`` that means passing ``files=``,
  e.g. the documented ``files={"none": ""}``, even with no file; a
  url-encoded or JSON body is a 400). Fields: ``prompt`` (required, <= 10000
  chars), ``negative_prompt``, ``aspect_ratio`` (16:9 1:1 21:9 2:3 3:2 4:5
  5:4 9:16 9:21), ``seed`` (0..4294967294, 0 = random), ``output_format``
  (png/jpeg/webp; sd3: png/jpeg), ``style_preset`` (17 presets), ``model``
  (sd3.5-large, sd3.5-large-turbo, sd3.5-medium, sd3.5-flash), ``mode``
  (text-to-image, or image-to-image with ``image`` + ``strength``) and
  ``cfg_scale`` (1..10) for sd3. Unknown fields are ignored.
* ``Accept: image/*`` (or none / ``*/*``) answers the raw image with
  ``content-type`` image/png|jpeg|webp and headers ``finish-reason``
  (SUCCESS / CONTENT_FILTERED) and ``seed``; ``Accept: application/json``
  answers ``{"image": <base64>, "finish_reason", "seed"}``. The image has the
  aspect ratio's real output size divided by ``scale`` (1:1 -> 64x64,
  16:9 -> 84x48).
* ``POST /v2beta/3d/stable-fast-3d`` (``image`` file, ``texture_resolution``
  512/1024/2048, ``foreground_ratio`` 0.1..1, ``remesh`` none/triangle/quad,
  ``vertex_count`` -1..20000) and ``/v2beta/3d/stable-point-aware-3d``
  (``image``, ``texture_resolution``, ``foreground_ratio`` 1..2, ``remesh``,
  ``target_type`` none/vertex/face, ``target_count`` 100..20000,
  ``guidance_scale`` 1..10, ``seed``) answer a GLB (``model/gltf-binary``)
  synchronously. The input image must decode, with sides >= 64 px and
  4,096..4,194,304 pixels.
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
from .base import Fault, ProtocolServer, RecordedRequest, Response, json_response
from .media import glb_bytes, image_bytes, mime_for

__all__ = ["StabilityServer", "ASPECT_SIZES", "SD3_MODELS", "STYLE_PRESETS"]

#: aspect_ratio -> the output size the real API renders (about 1 megapixel)
ASPECT_SIZES = {
    "1:1": (1024, 1024), "16:9": (1344, 768), "9:16": (768, 1344), "21:9": (1536, 640),
    "9:21": (640, 1536), "3:2": (1216, 832), "2:3": (832, 1216), "5:4": (1088, 896),
    "4:5": (896, 1088),
}
SD3_MODELS = ("sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash")
STYLE_PRESETS = (
    "3d-model", "analog-film", "anime", "cinematic", "comic-book", "digital-art", "enhance",
    "fantasy-art", "isometric", "line-art", "low-poly", "modeling-compound", "neon-punk",
    "origami", "photographic", "pixel-art", "tile-texture",
)
FORMATS = {"ultra": ("png", "jpeg", "webp"), "core": ("png", "jpeg", "webp"), "sd3": ("png", "jpeg")}
MAX_SEED = 4294967294


class _BadRequest(Exception):
    pass


def _enum(form: dict, name: str, allowed, default=None):
    value = form.get(name, default)
    if value is not None and value not in allowed:
        raise _BadRequest(f"{name}: must be one of {', '.join(allowed)}")
    return value


def _number(form: dict, name: str, lo: float, hi: float, default=None, integer: bool = False):
    raw = form.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise _BadRequest(f"{name}: expected {'an integer' if integer else 'a number'}, got '{raw}'") from None
    if not lo <= value <= hi:
        raise _BadRequest(f"{name}: must be between {lo:g} and {hi:g}")
    return value


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
        route = m.group(1) if m else {
            "/v2beta/3d/stable-fast-3d": "sf3d", "/v2beta/3d/stable-point-aware-3d": "spar3d",
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
        prompt = form.get("prompt", "")
        if not prompt.strip():
            raise _BadRequest("prompt: cannot be empty")
        if len(prompt) > 10000 or len(form.get("negative_prompt", "")) > 10000:
            raise _BadRequest("prompt: must be at most 10000 characters")
        aspect = _enum(form, "aspect_ratio", tuple(ASPECT_SIZES), "1:1")
        fmt = _enum(form, "output_format", FORMATS[route], "png")
        seed = _number(form, "seed", 0, MAX_SEED, 0, integer=True)
        _enum(form, "style_preset", STYLE_PRESETS)
        if route == "sd3":
            _enum(form, "model", SD3_MODELS, "sd3.5-large")
            _number(form, "cfg_scale", 1, 10)
            mode = _enum(form, "mode", ("text-to-image", "image-to-image"), "text-to-image")
            if mode == "image-to-image":
                if "image" not in files:
                    raise _BadRequest("image: is required when mode is image-to-image")
                if _number(form, "strength", 0, 1) is None:
                    raise _BadRequest("strength: is required when mode is image-to-image")
                self._check_image(files["image"].data)
        elif "image" in files:  # ultra: optional image + strength
            if route == "ultra" and _number(form, "strength", 0, 1) is None:
                raise _BadRequest("strength: is required when an image is provided")
        return {"aspect": aspect, "format": fmt, "seed": seed or secrets.randbelow(MAX_SEED) + 1}

    def _image(self, p: dict, accept: str, filtered: bool) -> Response:
        w, h = ASPECT_SIZES[p["aspect"]]
        color = (128, 128, 128) if filtered else (40, 120, 200)
        data = image_bytes(max(1, w // self.scale), max(1, h // self.scale), p["format"], color)
        reason = "CONTENT_FILTERED" if filtered else "SUCCESS"
        if accept == "json":
            return json_response(200, {"image": base64.b64encode(data).decode(), "finish_reason": reason,
                                       "seed": p["seed"]})
        return Response(200, data, {"Content-Type": mime_for(p["format"]), "finish-reason": reason,
                                    "seed": str(p["seed"])})

    # -- 3D ------------------------------------------------------------------------------
    @staticmethod
    def _check_image(data: bytes) -> None:
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as img:
                img.verify()
                w, h = img.size
        except Exception:
            raise _BadRequest("image: could not be decoded; supported formats are jpeg, png, webp") from None
        if min(w, h) < 64:
            raise _BadRequest(f"image: every side must be at least 64 pixels (got {w}x{h})")
        if not 4096 <= w * h <= 4_194_304:
            raise _BadRequest(f"image: total pixel count must be between 4,096 and 4,194,304 (got {w * h})")

    def _validate_3d(self, route: str, request: RecordedRequest) -> None:
        form, files = request.form, request.files
        if "image" not in files or not files["image"].data:
            raise _BadRequest("image: is required")
        self._check_image(files["image"].data)
        _enum(form, "texture_resolution", ("512", "1024", "2048"))
        _enum(form, "remesh", ("none", "triangle", "quad"))
        if route == "sf3d":
            _number(form, "foreground_ratio", 0.1, 1)
            _number(form, "vertex_count", -1, 20000, integer=True)
        else:
            _number(form, "foreground_ratio", 1, 2)
            _enum(form, "target_type", ("none", "vertex", "face"))
            _number(form, "target_count", 100, 20000, integer=True)
            _number(form, "guidance_scale", 1, 10)
            _number(form, "seed", 0, MAX_SEED, integer=True)

