"""Replicate, through the official ``replicate`` client.

The client honours ``REPLICATE_BASE_URL``. Official models are addressed as
``owner/name`` (``POST /v1/models/{owner}/{name}/predictions``), community
models as ``owner/name:version`` (``POST /v1/predictions``).
"""

import base64
import logging
import mimetypes
import os
import pathlib
import re
import time
import urllib.parse
from dataclasses import dataclass
from typing import Optional, Tuple

from ..pacing import RateLimit
from ..retry import with_retries
from .base import GenerationError, Output, ext_from_content_type
from .hosted import HostedBackend, download

logger = logging.getLogger(__name__)

_TERMINAL = ("succeeded", "failed", "canceled")

# What Replicate bills per second of each hardware its community models run
# on (replicate.com/pricing, docs/providers-research.md section 11). A model
# is priced by one of these only where the hardware it runs on is confirmed.
PRICING_URL = "https://replicate.com/pricing"
HARDWARE_CHECKED = "2026-11-29"
HARDWARE = {
    "gpu-t4": ("Nvidia T4", 0.000225),
    "gpu-a40-large": ("Nvidia A40 (Large)", 0.000725),
    "gpu-l40s": ("Nvidia L40S", 0.000975),
    "gpu-a100-large": ("Nvidia A100 (80GB)", 0.001400),
    "gpu-h100": ("Nvidia H100", 0.001525),
}


def per_output(usd, unit="image", source=PRICING_URL, checked=HARDWARE_CHECKED):
    """The price of an official model billed per output (image, video,
    second of video...), read at ``source`` on ``checked``."""
    from ..pricing import PerOutput

    return PerOutput(usd=usd, unit=unit, checked=checked, source=source)


def per_image_on_page(usd, ref):
    """An official model's flat price per output image, as its own model
    page (``replicate.com/{ref}``) lists it."""
    return per_output(usd, source=f"https://replicate.com/{ref}")


def on_hardware(sku):
    """The price of a model billed by the second of Replicate hardware
    ``sku`` (a key of :data:`HARDWARE`)."""
    from ..pricing import Hardware

    name, rate = HARDWARE[sku]
    return Hardware(hardware=name, usd_per_s=rate, checked=HARDWARE_CHECKED,
                    source=PRICING_URL)
PREFER_WAIT_S = 10  # Replicate holds a create up to this long for the result
POLL_S = 2.0  # then polls each prediction this often (3,000 reads a minute allowed)


@dataclass
class Replicate(HostedBackend):
    """A model hosted on Replicate.

    Attributes:
        model_ref: ``owner/name`` or ``owner/name:version``
        batch_field: the model's input that asks for several outputs in one
            prediction (``num_outputs``), if it has one
        max_batch: the most outputs one prediction may return
        image_field: the input that takes the source image (image-to-X)
        output_ext: extension to use when the output URL has none
        output_pick: which outputs to keep, when a model returns more than
            the files we want (renders beside a mesh): keys of a dict output
            (``model_file``) or file extensions (``.glb``); empty keeps all.
            Keys only sort a dict, extensions also a list; a bare URL is
            always kept
    """

    model_ref: str = ""
    batch_field: Optional[str] = None
    image_field: Optional[str] = None
    output_ext: str = "png"
    output_pick: Tuple[str, ...] = ()

    kind = "replicate"
    label = "Replicate"
    secret = "REPLICATE_API_TOKEN"
    packages = {"replicate": "replicate"}
    # 600 prediction creates a minute (docs/providers-research.md); many
    # predictions run at once, so threads mostly wait on the provider
    rate_limit = RateLimit(600, 60)
    concurrency = 64
    max_concurrency = 128

    @property
    def ref(self):
        return self.model_ref

    def generate(self, job, secrets):
        """One prediction: created once (a 429 or 5xx on the create is
        retryable: nothing was made), then awaited, cancelled through the API
        when the run is cancelled or the timeout passes, and its files
        downloaded with their own retries. Nothing after the create is
        retried by creating again: each prediction is billed."""
        token = secrets.get(self.secret)
        client = _client(token)
        prediction = self._create(client, job)
        try:
            prediction = self._await(client, prediction, job)
            return self._outputs(prediction, job, token)
        except GenerationError as e:
            raise GenerationError(str(e)) from None  # never create a second one

    def _create(self, client, job):
        from replicate.exceptions import ReplicateError

        body = self.provider_input(job, self.batch_field)
        if job.source_path and self.image_field:
            body[self.image_field] = source_input(job.source_path)
        owner_name, _, version = self.model_ref.partition(":")
        # a short server-side wait answers quick models in one request;
        # longer ones are polled, so a cancel or timeout reaches them
        wait = max(1, min(PREFER_WAIT_S, int(job.timeout_s)))
        try:
            if version:
                return client.predictions.create(version=version, input=body, wait=wait)
            return client.models.predictions.create(model=owner_name, input=body, wait=wait)
        except ReplicateError as e:
            raise _error(e) from None
        except httpx_errors() as e:
            # the request may not have reached Replicate: say so, do not retry
            raise GenerationError(f"could not reach Replicate: {type(e).__name__}: {e}") from None

    def _await(self, client, prediction, job):
        deadline = time.monotonic() + job.timeout_s
        while prediction.status not in _TERMINAL:
            if job.cancelled is not None and job.cancelled.is_set():
                _cancel(client, prediction)
                raise GenerationError(f"cancelled: Replicate prediction {prediction.id} "
                                      "was cancelled with the run")
            if time.monotonic() >= deadline:
                _cancel(client, prediction)
                raise GenerationError(
                    f"Replicate prediction {prediction.id} did not finish within "
                    f"{job.timeout_s:g} s (the run's timeout); it was cancelled")
            wait_for_cancel(job, min(POLL_S, max(0.0, deadline - time.monotonic())))
            try:
                prediction.reload()
            except Exception as e:  # a poll that fails is polled again
                logger.info("polling %s failed: %s", prediction.id, e)
        if prediction.status != "succeeded":
            detail = prediction.error or prediction.status
            raise GenerationError(
                f"Replicate prediction {prediction.id} {prediction.status}: {detail}")
        return prediction

    def _outputs(self, prediction, job, token):
        urls = _picked(prediction.output, self.output_pick)
        if not urls:
            raise GenerationError(f"Replicate prediction {prediction.id} returned no output")
        api_base = os.environ.get("REPLICATE_BASE_URL") or "https://api.replicate.com"
        api_host = urllib.parse.urlparse(api_base).netloc
        owner_name, _, version = self.model_ref.partition(":")
        cost = self._cost(prediction, len(urls))
        outputs = []
        for i, url in enumerate(urls):
            try:
                data, content_type = with_retries(lambda: download(
                    str(url), auth_host=api_host, token=token, timeout=job.timeout_s))
            except GenerationError as e:
                raise GenerationError(
                    f"Replicate prediction {prediction.id} succeeded but its output could "
                    f"not be downloaded: {e}") from None
            ext = _url_ext(str(url)) or ext_from_content_type(content_type, self.output_ext)
            outputs.append(Output(
                data=data, ext=ext, seed=job.seed, request_id=prediction.id,
                provider_ref=_versioned_ref(owner_name, prediction.version or version),
                extra={"batch_index": i}, cost=cost))
        return outputs

    def _cost(self, prediction, count):
        """Each output's share of the prediction's cost, from the usage
        Replicate reports (``metrics.predict_time`` for models billed by the
        second of their hardware); None when the price is not billed by it."""
        if self.price is None:
            return None
        cost = self.price.reported(getattr(prediction, "metrics", None) or {}, count)
        return cost.to_dict() if cost is not None else None


def wait_for_cancel(job, seconds):
    """Sleeps ``seconds``, waking early when the run is cancelled."""
    if job.cancelled is not None:
        job.cancelled.wait(seconds)
    else:
        time.sleep(seconds)


def _cancel(client, prediction):
    try:
        client.predictions.cancel(prediction.id)
    except Exception as e:  # cancelling is best effort; the run goes on
        logger.warning("could not cancel Replicate prediction %s: %s", prediction.id, e)


def httpx_errors():
    import httpx

    return (httpx.TransportError,)


def _picked(output, pick=()):
    """The output URLs to download: a list, one URL, or the string values of
    a dict (some 3D models return ``{"mesh": url, ...}``), filtered by
    ``pick`` (dict keys or ``.ext`` suffixes) when given."""
    if isinstance(output, dict):
        entries = [(k, v) for k, v in output.items() if isinstance(v, str)]
    else:
        entries = [(None, u) for u in (output if isinstance(output, list) else [output])]
    entries = [(k, str(u)) for k, u in entries if u]
    keys = [p for p in pick if not p.startswith(".")]
    exts = [p for p in pick if p.startswith(".")]
    if isinstance(output, dict) and pick:
        entries = [(k, u) for k, u in entries if k in keys or f".{_url_ext(u)}" in exts]
    elif exts and isinstance(output, list):  # one bare URL: nothing to choose
        entries = [(k, u) for k, u in entries if f".{_url_ext(u)}" in exts]
    return [u for _, u in entries]


# Replicate recommends data URIs for files under 1 MB; bigger files go
# through its files API (the client uploads a ``pathlib.Path`` input)
INLINE_LIMIT = 1_000_000


def source_input(path):
    """The source image as Replicate takes a file input: a data URI when
    small, else a path the client uploads."""
    if os.path.getsize(path) >= INLINE_LIMIT:
        return pathlib.Path(path)
    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
    with open(path, "rb") as f:
        return f"data:{mime};base64,{base64.b64encode(f.read()).decode()}"


_CLIENTS = {}


def _client(token):
    """One client per token and base URL for the process: its HTTP
    connection pool is reused across requests and threads."""
    import replicate

    key = (token, os.environ.get("REPLICATE_BASE_URL"))
    if key not in _CLIENTS:
        _CLIENTS[key] = replicate.Client(api_token=token)
    return _CLIENTS[key]


def _versioned_ref(owner_name, version):
    # official models report their version as "hidden"
    return f"{owner_name}:{version}" if version and version != "hidden" else owner_name


def _url_ext(url):
    if url.startswith("data:"):
        return None
    ext = os.path.splitext(urllib.parse.urlparse(url).path)[1].lstrip(".").lower()
    return {"jpeg": "jpg"}.get(ext, ext) or None


def _error(e):
    status = getattr(e, "status", None)
    detail = getattr(e, "detail", None) or str(e)
    if status == 401:
        return GenerationError(
            "Replicate rejected the API token: check REPLICATE_API_TOKEN"
        )
    if status == 422:
        return GenerationError(f"Replicate rejected the input: {detail}")
    if status == 429:
        return GenerationError(f"Replicate rate limit: {detail}", rate_limited=True,
                               retry_after=_retry_after(e))
    if status is not None and status >= 500:
        return GenerationError(f"Replicate server error {status}: {detail}",
                               retryable=True)
    return GenerationError(f"Replicate error {status or ''}: {detail}".strip())


def _retry_after(e):
    # ReplicateError carries no headers; the 429 detail says "Request was
    # throttled. Expected available in N seconds." or "... Your rate limit
    # resets in ~30s."; else back off
    match = re.search(r"(?:available in|resets in) ~?(\d+(?:\.\d+)?) ?s",
                      str(getattr(e, "detail", "")))
    return float(match.group(1)) if match else None
