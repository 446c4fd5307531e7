"""Local emulator of Replicate's HTTP API (the parts `replicate` 1.0.7 uses).

Emulated behaviour (api.replicate.com/v1):

* ``POST /v1/models/{owner}/{name}/predictions`` (official-model runs;
  ``replicate.run("owner/name")``) and ``POST /v1/predictions`` with
  ``{"version", "input"}`` (``replicate.run("owner/name:version")``). Both
  answer ``201`` with a prediction object. ``Prefer: wait`` / ``wait=N``
  holds the request until the prediction finishes (at most N s, default 60);
  when the wait runs out the prediction comes back with status ``starting``,
  as the real API does, and the client polls. Without ``Prefer`` the create
  returns ``starting`` at once. Predictions of official models carry
  ``"version": "hidden"``.
* ``GET /v1/models/{owner}/{name}/versions/{id}``: the client reads the
  version *after* creating a prediction by version id. Unknown version ids
  are refused at create time with 422 "Invalid version or not permitted".
* ``GET /v1/predictions/{id}`` (``processing`` until ``latency`` seconds after
  creation, then ``succeeded`` / ``failed``), ``POST .../cancel``.
* ``GET /v1/models/{owner}/{name}`` and ``GET /v1/account`` (token checks).
* Auth ``Authorization: Bearer <token>``; errors are RFC 7807 JSON
  (``title``/``detail``/``status``), e.g. 401 "Unauthenticated".
* Input validation (optional ``schemas``: each model's published input
  schema, the snapshots in docs/schemas/replicate): types, enums, minimum and
  maximum, required inputs. A refusal is 422 "Input validation failed" with
  ``invalid_fields`` ([{type, field, description}]) and a ``detail`` listing
  them, as Replicate's JSON-schema validator (gojsonschema) words them. NB
  the real API *ignores* unknown input keys for most models; rejecting them
  here is a deliberate strictness to catch typos (set
  ``reject_unknown_inputs=False`` to emulate the lenient behaviour).
* Outputs are files served by this server under ``/files/<name>`` (plain
  ``http://`` URLs, which the client returns as ``str``), or ``data:`` URIs
  with ``data_urls=True`` (the client wraps those as ``FileOutput``).
* Faults (``fail_next``): ``rate_limit`` (429 ``{"detail": "Request was
  throttled. Expected available in N seconds."}`` plus ``Retry-After`` when
  ``retry_after=`` is given), ``server_error`` (500, or ``status=503``),
  ``bad_request`` (422 naming ``field=``), ``model_failed`` (the prediction
  ends ``failed`` with ``error=`` and ``logs=``; ``replicate.run`` raises
  ``ModelError``), ``unauthorized`` (401 even with the right token).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .base import Fault, ProtocolServer, RecordedRequest, Response, json_response
from . import snapshots
from .media import glb_bytes, image_bytes, mime_for, normalize_image_format, video_bytes

__all__ = ["ReplicateServer", "default_outputs", "glb_output", "image_output", "video_output"]

OutputFn = Callable[[str, dict], list[tuple[bytes, str]]]


# -- output makers -----------------------------------------------------------
def _input_image_size(inp: dict) -> tuple[int, int] | None:
    """The size of the first image sent as a data URI (a file input, or the
    first of a list of them), for ``aspect_ratio: match_input_image``."""
    import io

    from PIL import Image

    for value in inp.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.startswith("data:image/"):
                try:
                    with Image.open(io.BytesIO(base64.b64decode(item.split(",", 1)[1]))) as img:
                        return img.size
                except Exception:
                    return None
    return None


def _image_size(inp: dict, side: int) -> tuple[int, int]:
    """Tiny size with the aspect of input width/height or aspect_ratio
    (``match_input_image``: the input image's aspect, as the editors answer
    it, at their own resolution)."""
    w, h = inp.get("width"), inp.get("height")
    if inp.get("aspect_ratio") == "match_input_image" and _input_image_size(inp):
        w, h = _input_image_size(inp)
    if not (isinstance(w, (int, float)) and isinstance(h, (int, float)) and w > 0 and h > 0):
        w, h = 1, 1
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*", str(inp.get("aspect_ratio") or ""))
        if m and float(m.group(1)) > 0 and float(m.group(2)) > 0:
            w, h = float(m.group(1)), float(m.group(2))
    scale = side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def image_output(side: int = 64) -> OutputFn:
    """Images sized from width/height or aspect_ratio (longest side ``side``),
    encoded per ``output_format`` (png default; jpg/jpeg/webp), repeated
    ``num_outputs`` (or ``num_images``) times."""

    def make(model_ref: str, inp: dict) -> list[tuple[bytes, str]]:
        fmt = str(inp.get("output_format") or "png").lower()
        fmt = normalize_image_format(fmt) if fmt in ("png", "jpg", "jpeg", "webp") else "png"
        w, h = _image_size(inp, side)
        # cogs name the batch size num_outputs (SD family) or num_images (LCM)
        n = inp.get("num_outputs", inp.get("num_images", 1))
        n = n if isinstance(n, int) and n > 0 else 1
        ext = "jpg" if fmt == "jpeg" else fmt
        return [(image_bytes(w, h, fmt), ext)] * n

    return make


default_outputs: OutputFn = image_output()


def video_output(num_frames: int = 8, fps: float = 8, width: int = 64, height: int = 64) -> OutputFn:
    """An H.264 MP4 of ``num_frames`` frames at ``fps``."""
    return lambda model_ref, inp: [(video_bytes(num_frames, fps, width, height), "mp4")]


def glb_output() -> OutputFn:
    """A GLB mesh with vertex colours."""
    return lambda model_ref, inp: [(glb_bytes(), "glb")]


# -- predictions ---------------------------------------------------------------
def _iso(t: float | None) -> str | None:
    if t is None:
        return None
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _new_id() -> str:
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(26))


@dataclass
class _Prediction:
    id: str
    model: str
    version: str
    input: dict
    created: float
    done_at: float
    output: Any = None
    error: str | None = None
    logs: str = ""
    canceled_at: float | None = None

    def status(self, now: float) -> str:
        if self.canceled_at is not None:
            return "canceled"
        if now < self.done_at:
            return "processing"
        return "failed" if self.error is not None else "succeeded"


class ReplicateServer(ProtocolServer):
    """Replicate API emulator. See the module docstring for the wire behaviour.

    Args:
        expected_key: the accepted API token.
        latency: seconds from creation until a prediction finishes.
        outputs: ``outputs(model_ref, input) -> [(bytes, ext), ...]`` used for
            every model not in ``model_outputs`` (default: tiny images).
        model_outputs: per-model overrides, keyed ``"owner/name"``.
        single_output: True (all models) or the ``"owner/name"`` refs whose
            output is one URL string instead of a list (most video models).
        schemas: ``{"owner/name": input JSON schema}`` (a snapshot's
            ``input``: ``properties`` with type, enum, minimum, maximum, and
            ``required``).
        reject_unknown_inputs: with a schema, refuse input keys not in it.
        versions: ``{version_id: "owner/name"}`` accepted by POST /v1/predictions.
        data_urls: return outputs as ``data:`` URIs instead of file URLs.
        max_wait: cap (seconds) on how long a ``Prefer: wait`` request is held;
            0 makes every create answer ``starting`` so the client polls.
    """

    FAULT_KINDS = ProtocolServer.FAULT_KINDS | {"model_failed", "unauthorized"}

    def __init__(
        self,
        expected_key: str = "r8_test_token",
        *,
        latency: float = 0.0,
        outputs: OutputFn | None = None,
        model_outputs: dict[str, OutputFn] | None = None,
        single_output: bool | Iterable[str] = False,
        schemas: dict[str, Any] | None = None,
        reject_unknown_inputs: bool = True,
        versions: dict[str, str] | None = None,
        data_urls: bool = False,
        max_wait: float | None = None,
        host: str = "127.0.0.1",
    ):
        super().__init__(expected_key, latency=latency, host=host)
        self.outputs = outputs or default_outputs
        self.model_outputs = dict(model_outputs or {})
        self.single_output = single_output if isinstance(single_output, bool) else set(single_output)
        self.schemas = dict(schemas or {})
        self.reject_unknown_inputs = reject_unknown_inputs
        self.versions = dict(versions or {})
        self.data_urls = data_urls
        self.max_wait = max_wait
        self.predictions: dict[str, _Prediction] = {}
        self.files: dict[str, tuple[bytes, str]] = {}
        self._download_faults: deque[str] = deque()

    DOWNLOAD_FAULTS = ("unavailable", "truncated")

    def fail_downloads(self, kind: str, count: int = 1) -> None:
        """The next ``count`` output file downloads fail: ``unavailable``
        (503) or ``truncated`` (the connection drops mid-body)."""
        if kind not in self.DOWNLOAD_FAULTS:
            raise ValueError(f"unknown download fault {kind!r}; known: {self.DOWNLOAD_FAULTS}")
        with self._lock:
            self._download_faults.extend([kind] * count)

    def _throttled(self) -> Response | None:
        """A 429 as Replicate words it when creates exceed ``rate_limit``
        (Replicate documents 600 a minute)."""
        wait = self.over_rate_limit()
        if wait is None:
            return None
        unit = "second" if wait == 1 else "seconds"
        return json_response(429, {"detail": f"Request was throttled. Expected available in "
                                             f"{wait} {unit}.", "status": 429})

    def add_version(self, model_ref: str, version_id: str | None = None) -> str:
        """Register a version of ``owner/name``; returns the (new) version id."""
        version_id = version_id or secrets.token_hex(32)
        self.versions[version_id] = model_ref
        return version_id

    def is_single_output(self, model_ref: str) -> bool:
        if isinstance(self.single_output, bool):
            return self.single_output
        return model_ref in self.single_output

    # -- routing -------------------------------------------------------------
    _ROUTES = [
        ("POST", re.compile(r"/v1/models/([^/]+)/([^/]+)/predictions"), "_create_for_model"),
        ("POST", re.compile(r"/v1/predictions"), "_create_for_version"),
        ("GET", re.compile(r"/v1/predictions/([^/]+)"), "_get_prediction"),
        ("POST", re.compile(r"/v1/predictions/([^/]+)/cancel"), "_cancel"),
        ("GET", re.compile(r"/v1/models/([^/]+)/([^/]+)/versions/([^/]+)"), "_get_version"),
        ("GET", re.compile(r"/v1/models/([^/]+)/([^/]+)"), "_get_model"),
        ("GET", re.compile(r"/v1/account"), "_get_account"),
    ]

    def handle(self, request: RecordedRequest) -> Response:
        path = request.path.rstrip("/") or "/"
        if request.method == "GET" and path.startswith("/files/"):
            return self._get_file(path[len("/files/"):])
        for method, pattern, name in self._ROUTES:
            m = pattern.fullmatch(path)
            if m and method == request.method:
                if self.bearer_token(request) != self.expected_key:
                    return self._unauthorized(request)
                return getattr(self, name)(request, *m.groups())
        return self._problem(404, "Not found", "The requested resource could not be found.")

    # -- errors --------------------------------------------------------------
    @staticmethod
    def _problem(status: int, title: str, detail: str, headers: dict | None = None, **extra) -> Response:
        return json_response(status, {"title": title, "detail": detail, "status": status, **extra}, headers)

    def _unauthorized(self, request: RecordedRequest) -> Response:
        token = self.bearer_token(request)
        detail = ("You did not pass an authentication token" if not token
                  else "You did not pass a valid authentication token")
        return self._problem(401, "Unauthenticated", detail)

    @classmethod
    def _invalid(cls, problems: list[tuple[str, str, str]]) -> Response:
        """422 'Input validation failed' from (type, field, description)."""
        detail = "".join(f"- {f}: {d}\n" if f else f"- {d}\n" for _, f, d in problems)
        fields = [{"type": t, "field": f, "description": d} for t, f, d in problems]
        return cls._problem(422, "Input validation failed", detail, invalid_fields=fields)

    def _fault_response(self, fault: Fault) -> Response | None:
        o = fault.options
        if fault.kind == "rate_limit":
            secs = o.get("retry_after", 1)
            headers = {"Retry-After": str(o["retry_after"])} if "retry_after" in o else None
            unit = "second" if secs == 1 else "seconds"
            return json_response(
                429, {"detail": f"Request was throttled. Expected available in {secs} {unit}.", "status": 429}, headers)
        if fault.kind == "server_error":
            status = int(o.get("status", 500))
            title = "Service Unavailable" if status == 503 else "Internal Server Error"
            return self._problem(status, title, o.get("detail", "An unexpected error occurred."))
        if fault.kind == "bad_request":
            fld = o.get("field", "prompt")
            return self._invalid([("invalid_type", f"input.{fld}",
                                   o.get("message", "Invalid type. Expected: string, given: integer"))])
        if fault.kind == "unauthorized":
            return self._problem(401, "Unauthenticated", "You did not pass a valid authentication token")
        return None  # model_failed: handled when the prediction is built

    # -- validation ------------------------------------------------------------
    def _validate(self, model_ref: str, inp: Any) -> Response | None:
        if not isinstance(inp, dict):
            return self._invalid([("invalid_type", "input",
                                   snapshots.Problem("invalid_type", "input", inp, "object").text())])
        schema = self.schemas.get(model_ref)
        if schema is None:
            return None
        problems = snapshots.check(schema, inp, additional=not self.reject_unknown_inputs)
        if not problems:
            return None
        root = ("required", "additional_property_not_allowed")
        return self._invalid([(p.kind, "input" if p.kind in root else f"input.{p.field}", p.text())
                              for p in problems])

    # -- creates -------------------------------------------------------------
    def _create_for_model(self, request: RecordedRequest, owner: str, name: str) -> Response:
        return self._create(request, f"{owner}/{name}", None)

    def _create_for_version(self, request: RecordedRequest) -> Response:
        body = request.json if isinstance(request.json, dict) else {}
        version = body.get("version")
        if isinstance(version, str) and ":" in version:  # "owner/name:id" is accepted too
            version = version.split(":", 1)[1]
        return self._create(request, self.versions.get(version), version)

    def _create(self, request: RecordedRequest, model_ref: str | None, version: str | None) -> Response:
        """Shared create path; ``version`` None means an official-model run."""
        fault = self.take_fault(request)
        if fault is not None and (resp := self._fault_response(fault)) is not None:
            return resp
        if (resp := self._throttled()) is not None:
            return resp
        body = request.json
        if not isinstance(body, dict):
            return self._problem(400, "Bad request", "Request body must be a JSON object")
        if model_ref is None:
            return self._problem(422, "Invalid version or not permitted",
                                 "The specified version does not exist (or perhaps you don't have "
                                 "permission to use it?)")
        version = version or "hidden"
        inp = body.get("input", {})
        if (resp := self._validate(model_ref, inp)) is not None:
            return resp

        pred = _Prediction(id=_new_id(), model=model_ref, version=version, input=inp,
                           created=time.time(), done_at=0.0)
        if fault is not None and fault.kind == "model_failed":
            pred.error = fault.options.get("error", "Prediction failed: CUDA out of memory")
            pred.logs = fault.options.get("logs", "Traceback (most recent call last):\n" + pred.error)
        else:
            pred.output = self._make_output(pred)
            pred.logs = "100%|██████████| 4/4 [00:00<00:00, 40.00it/s]"
        pred.done_at = time.time() + self.latency  # latency counts once the output exists
        with self._lock:
            self.predictions[pred.id] = pred

        wait = self._prefer_wait(request.headers.get("prefer", ""))
        if self.max_wait is not None:
            wait = min(wait, self.max_wait)
        if wait > 0:
            remaining = pred.done_at - time.time()
            if remaining > 0:
                time.sleep(min(remaining, wait))
            final = time.time() >= pred.done_at
            return json_response(201, self._to_json(pred, None if final else "starting"))
        return json_response(201, self._to_json(pred, "starting"))

    @staticmethod
    def _prefer_wait(prefer: str) -> float:
        m = re.search(r"(?:^|[,;\s])wait(?:\s*=\s*(\d+))?", prefer)
        if not m:
            return 0.0
        return float(m.group(1)) if m.group(1) else 60.0

    def _make_output(self, pred: _Prediction) -> Any:
        maker = self.model_outputs.get(pred.model, self.outputs)
        urls = []
        for i, (data, ext) in enumerate(maker(pred.model, pred.input)):
            ext = ext.lstrip(".")
            if self.data_urls:
                urls.append(f"data:{mime_for(ext)};base64,{base64.b64encode(data).decode()}")
            else:
                name = f"{pred.id}-out-{i}.{ext}"
                self.files[name] = (data, mime_for(ext))
                urls.append(f"{self.url}/files/{name}")
        if self.is_single_output(pred.model):
            return urls[0] if urls else None
        return urls

    # -- reads -----------------------------------------------------------------
    def _to_json(self, pred: _Prediction, status: str | None = None) -> dict:
        now = time.time()
        status = status or pred.status(now)
        terminal = status in ("succeeded", "failed", "canceled")
        base = f"{self.url}/v1/predictions/{pred.id}"
        return {
            "id": pred.id,
            "model": pred.model,
            "version": pred.version,
            "input": pred.input,
            "logs": pred.logs if terminal else "",
            "output": pred.output if status == "succeeded" else None,
            "data_removed": False,
            "error": pred.error if status == "failed" else None,
            "status": status,
            "source": "api",
            "created_at": _iso(pred.created),
            "started_at": _iso(pred.created) if status != "starting" else None,
            "completed_at": _iso(pred.canceled_at or pred.done_at) if terminal else None,
            "metrics": {"predict_time": round(pred.done_at - pred.created, 3)} if terminal else {},
            "urls": {"get": base, "cancel": f"{base}/cancel", "web": f"https://replicate.com/p/{pred.id}"},
        }

    def _get_prediction(self, request: RecordedRequest, pred_id: str) -> Response:
        pred = self.predictions.get(pred_id)
        if pred is None:
            return self._problem(404, "Not found", "Not found.")
        return json_response(200, self._to_json(pred))

    def _cancel(self, request: RecordedRequest, pred_id: str) -> Response:
        pred = self.predictions.get(pred_id)
        if pred is None:
            return self._problem(404, "Not found", "Not found.")
        if pred.status(time.time()) == "processing":
            pred.canceled_at = time.time()
        return json_response(200, self._to_json(pred))

    def _version_json(self, model_ref: str, version_id: str) -> dict:
        schema = self.schemas.get(model_ref) or {"type": "object", "properties": {}}
        single = self.is_single_output(model_ref)
        output = ({"type": "string", "format": "uri"} if single
                  else {"type": "array", "items": {"type": "string", "format": "uri"}})
        return {
            "id": version_id,
            "created_at": "2025-01-01T00:00:00.000000Z",
            "cog_version": "0.14.0",
            "openapi_schema": {"openapi": "3.0.2", "components": {"schemas": {
                "Input": schema, "Output": output}}},
        }

    def _get_version(self, request: RecordedRequest, owner: str, name: str, version_id: str) -> Response:
        if self.versions.get(version_id) != f"{owner}/{name}":
            return self._problem(404, "Not found", "Not found.")
        return json_response(200, self._version_json(f"{owner}/{name}", version_id))

    def _get_model(self, request: RecordedRequest, owner: str, name: str) -> Response:
        ref = f"{owner}/{name}"
        latest = next((v for v, m in reversed(self.versions.items()) if m == ref), None)
        return json_response(200, {
            "url": f"https://replicate.com/{ref}", "owner": owner, "name": name,
            "description": "emulated model", "visibility": "public", "github_url": None,
            "paper_url": None, "license_url": None, "run_count": 0, "cover_image_url": None,
            "default_example": None,
            "latest_version": self._version_json(ref, latest) if latest else None,
        })

    def _get_account(self, request: RecordedRequest) -> Response:
        return json_response(200, {"type": "user", "username": "emulator", "name": "Emulator",
                                   "github_url": None})

    def _get_file(self, name: str) -> Response:
        entry = self.files.get(name)
        if entry is None:
            return Response(404, b"Not Found", {"Content-Type": "text/plain"})
        with self._lock:
            fault = self._download_faults.popleft() if self._download_faults else None
        if fault == "unavailable":
            return Response(503, b"Service Unavailable", {"Content-Type": "text/plain"})
        data, ctype = entry
        return Response(200, data, {"Content-Type": ctype},
                        truncate_to=len(data) // 2 if fault == "truncated" else None)
