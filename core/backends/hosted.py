"""What the hosted backends share: translating standard option names into a
provider's field names, and fetching output files."""

import base64
import http.client
import os
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from .base import Backend, GenerationError


@dataclass
class HostedBackend(Backend):
    """A hosted model.

    Attributes:
        fields: standard option name -> provider field name; None drops the
            option for this provider. Options not listed keep their name.
        fixed: provider fields always sent (e.g. a mode or output format)
        only_with: values the provider takes only beside others, as
            ``((option, value), (other option, allowed values))``: Hailuo 02
            makes 10 s videos at 768p only. Checked before anything is sent
    """

    fields: Dict[str, Optional[str]] = field(default_factory=dict)
    fixed: Dict[str, Any] = field(default_factory=dict)
    only_with: Tuple = ()

    def check(self, options, secrets, check_ready=True):
        problems = {}
        for (name, value), (other, allowed) in self.only_with:
            if options.get(name) == value and options.get(other) not in allowed:
                problems[name] = (f"{name} {value} needs {other} "
                                  f"{' or '.join(map(str, allowed))}; "
                                  f"got {other} {options.get(other)}")
        return problems

    def provider_input(self, job, batch_field=None):
        """The provider's request fields for ``job`` (the plan already left
        out the prompt and seed of a model that takes none)."""
        body = dict(self.fixed)
        if job.prompt is not None:
            body[self.fields.get("prompt", "prompt")] = job.prompt
        for name, value in job.options.items():
            target = self.fields.get(name, name)
            if target is not None and value is not None:
                body[target] = value
        if job.seed is not None:
            body[self.fields.get("seed", "seed")] = job.seed
        if batch_field:
            body[batch_field] = job.count
        return body


def download(url, *, auth_host=None, token=None, timeout=600):
    """Returns (bytes, content_type) of an output URL or ``data:`` URI.

    The API token is only sent to the provider's own API host (Replicate's
    file API needs it; CDN links must not receive it). A failed, cut-short
    or truncated download raises a retryable ``GenerationError``: retry the
    download, never the generation."""
    if url.startswith("data:"):
        header, _, payload = url.partition(",")
        content_type = header[5:].split(";")[0]
        if ";base64" in header:
            return base64.b64decode(payload), content_type
        return urllib.parse.unquote_to_bytes(payload), content_type
    request = urllib.request.Request(url)
    if token and auth_host and urllib.parse.urlparse(url).netloc == auth_host:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read()
            expected = response.headers.get("Content-Length")
            content_type = response.headers.get("Content-Type")
    except (OSError, http.client.HTTPException) as e:  # IncompleteRead is the latter
        raise GenerationError(
            f"could not download the output file: {type(e).__name__}: {e}",
            retryable=True) from None
    if expected is not None and expected.isdigit() and len(data) != int(expected):
        raise GenerationError(
            f"the output file arrived truncated ({len(data)} of {expected} bytes)",
            retryable=True)
    return data, content_type


def base_url(env_var, default):
    return os.environ.get(env_var, default).rstrip("/")
