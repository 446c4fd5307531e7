"""Replicate, through the official ``replicate`` client.

The client honours ``REPLICATE_BASE_URL``. Official models are addressed as
``owner/name`` (``POST /v1/models/{owner}/{name}/predictions``), community
models as ``owner/name:version`` (``POST /v1/predictions``).
"""

import base64
import mimetypes
import os
import pathlib
import re
import urllib.parse
from dataclasses import dataclass
from typing import Optional, Tuple

from .base import GenerationError, Output, ext_from_content_type
from .hosted import HostedBackend, download

_TERMINAL = ("succeeded", "failed", "canceled")


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
    concurrency = 16

    @property
    def ref(self):
        return self.model_ref

    def generate(self, job, secrets):
        from replicate.exceptions import ReplicateError

        token = secrets.get(self.secret)
        client = _client(token)
        body = self.provider_input(job, self.batch_field)
        if job.source_path and self.image_field:
            body[self.image_field] = source_input(job.source_path)
        try:
            owner_name, _, version = self.model_ref.partition(":")
            if version:
                prediction = client.predictions.create(
                    version=version, input=body, wait=True
                )
            else:
                prediction = client.models.predictions.create(
                    model=owner_name, input=body, wait=True
                )
            if prediction.status not in _TERMINAL:
                prediction.wait()
        except ReplicateError as e:
            raise _error(e) from None

        if prediction.status != "succeeded":
            detail = prediction.error or prediction.status
            raise GenerationError(
                f"Replicate prediction {prediction.id} {prediction.status}: {detail}"
            )

        urls = _picked(prediction.output, self.output_pick)
        if not urls:
            raise GenerationError(
                f"Replicate prediction {prediction.id} returned no output"
            )

        api_base = os.environ.get("REPLICATE_BASE_URL") or "https://api.replicate.com"
        api_host = urllib.parse.urlparse(api_base).netloc
        outputs = []
        for i, url in enumerate(urls):
            data, content_type = download(str(url), auth_host=api_host, token=token)
            ext = _url_ext(str(url)) or ext_from_content_type(
                content_type, self.output_ext
            )
            outputs.append(
                Output(
                    data=data,
                    ext=ext,
                    seed=job.seed,
                    request_id=prediction.id,
                    provider_ref=_versioned_ref(owner_name, prediction.version or version),
                    extra={"batch_index": i},
                )
            )
        return outputs


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
        return GenerationError(
            f"Replicate rate limit: {detail}", retryable=True,
            retry_after=_retry_after(e),
        )
    if status is not None and status >= 500:
        return GenerationError(f"Replicate server error {status}: {detail}",
                               retryable=True)
    return GenerationError(f"Replicate error {status or ''}: {detail}".strip())


def _retry_after(e):
    # ReplicateError carries no headers; the 429 detail says "Request was
    # throttled. Expected available in N seconds."; else back off
    match = re.search(r"available in (\d+(?:\.\d+)?) second",
                      str(getattr(e, "detail", "")))
    return float(match.group(1)) if match else None
