"""OpenAI's Images API, through the official ``openai`` client.

The client honours ``OPENAI_BASE_URL``. It is built without retries of its
own: the run retries 429 and 5xx once per attempt, honouring ``retry-after``.
GPT image models return base64 only.
"""

import base64
import os
import re
from dataclasses import dataclass
from typing import ClassVar

from ..pacing import RateLimit
from .base import GenerationError, Output
from .hosted import HostedBackend


@dataclass
class OpenAIImages(HostedBackend):
    """An OpenAI image model (``/v1/images/generations``)."""

    model_name: str = ""
    max_batch: int = 10
    takes_seed: bool = False  # the Images API takes no seed

    kind = "openai"
    label = "OpenAI"
    secret = "OPENAI_API_KEY"
    packages = {"openai": "openai"}
    # limits depend on the organisation's tier, which OpenAI states on every
    # answer: the run starts 48 requests, learns the rate from the first
    # answers and paces to it; a 429 halves how many run at once
    concurrency = 48
    max_concurrency = 128

    # the endpoint's schema snapshot in docs/schemas/openai
    snapshot: ClassVar[str] = "images-generations"

    @property
    def ref(self):
        return self.model_name

    def request(self, client, job, body):
        """The raw response of the endpoint's call (edits send files too)."""
        return client.images.with_raw_response.generate(
            model=self.model_name, timeout=job.timeout_s, **body)

    def generate(self, job, secrets):
        import openai

        client = _client(secrets.get(self.secret))
        body = self.provider_input(job, batch_field="n")
        try:
            raw = self.request(client, job, body)
        except openai.APIStatusError as e:
            raise _error(e) from None
        except openai.APITimeoutError:
            # it may have made (and billed) the image: report, do not retry
            raise GenerationError(f"OpenAI did not answer within {job.timeout_s:g} s "
                                  "(the run's timeout)") from None
        except openai.APIConnectionError as e:
            raise GenerationError(f"could not reach OpenAI: {e}", retryable=True) from None
        response = raw.parse()
        request_id = raw.headers.get("x-request-id")
        if job.pace is not None:
            job.pace(**_limits(raw.headers))
        ext = {"jpeg": "jpg"}.get(body.get("output_format", "png"),
                                  body.get("output_format", "png"))
        images = response.data or []
        cost = self._cost(response, len(images))
        return [
            Output(
                data=base64.b64decode(image.b64_json),
                ext=ext,
                request_id=request_id,
                provider_ref=self.model_name,
                revised_prompt=getattr(image, "revised_prompt", None),
                extra={"batch_index": i},
                cost=cost,
            )
            for i, image in enumerate(images)
        ]

    def _cost(self, response, count):
        """Each image's share of the call's cost, from the token counts
        OpenAI reports in ``usage`` (None without a price or usage)."""
        usage = getattr(response, "usage", None)
        if self.price is None or usage is None or not count:
            return None
        cost = self.price.reported(usage.model_dump(), count)
        return cost.to_dict() if cost is not None else None


_CLIENTS = {}


def _client(key):
    """One client per key and base URL for the process (its connection pool
    is shared). It does not retry: the run's retries honour the provider's
    wait, and a retry inside a retry would multiply requests."""
    import openai

    cache_key = (key, os.environ.get("OPENAI_BASE_URL"))
    if cache_key not in _CLIENTS:
        _CLIENTS[cache_key] = openai.OpenAI(api_key=key, max_retries=0)
    return _CLIENTS[cache_key]


def _limits(headers):
    """The organisation's request limit as OpenAI states it on each answer
    (requests a minute, what is left, when the window resets)."""
    def number(name):
        value = headers.get(name)
        return int(value) if value and value.isdigit() else None

    limit = number("x-ratelimit-limit-requests")
    return {"rate": RateLimit(limit, 60) if limit else None,
            "remaining": number("x-ratelimit-remaining-requests"),
            "reset_s": duration_s(headers.get("x-ratelimit-reset-requests"))}


def duration_s(text):
    """Seconds in OpenAI's reset durations: "12ms", "1s", "6m0s", "1m30.5s"."""
    if not text:
        return None
    total, found = 0.0, False
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text):
        total += float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
        found = True
    return total if found else None


def _retry_after(e):
    """Seconds OpenAI asked to wait (``retry-after`` or ``retry-after-ms``)."""
    headers = getattr(getattr(e, "response", None), "headers", None) or {}
    try:
        if headers.get("retry-after-ms"):
            return float(headers["retry-after-ms"]) / 1000
        if headers.get("retry-after"):
            return float(headers["retry-after"])
    except ValueError:
        pass
    return duration_s(headers.get("x-ratelimit-reset-requests"))


def _error(e):
    body = e.body if isinstance(e.body, dict) else {}
    message = body.get("message") or getattr(e, "message", "") or str(e)
    code = body.get("code")
    if e.status_code == 401:
        return GenerationError("OpenAI rejected the API key: check OPENAI_API_KEY")
    if code == "moderation_blocked":
        return GenerationError(f"OpenAI's safety system blocked the prompt: {message}")
    if e.status_code == 404 or code == "model_not_found":
        return GenerationError(f"OpenAI does not offer this model: {message}")
    if code == "insufficient_quota":
        return GenerationError(f"OpenAI quota exhausted: {message}")
    if e.status_code == 429:
        return GenerationError(f"OpenAI rate limit: {message}", rate_limited=True,
                               retry_after=_retry_after(e))
    if e.status_code >= 500:
        return GenerationError(f"OpenAI server error {e.status_code}: {message}",
                               retryable=True)
    return GenerationError(f"OpenAI rejected the request: {message}")
