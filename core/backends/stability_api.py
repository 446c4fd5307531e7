"""Stability AI's REST API (v2beta) over plain HTTP.

There is no maintained Python client. Requests are multipart forms; images
come back as bytes with ``finish-reason`` and ``seed`` headers; errors as
``{"id", "name", "errors"}`` JSON. No Retry-After is sent on 429 (150 requests
per 10 s), so we back off ourselves.
"""

from dataclasses import dataclass
from typing import Optional

from ..pacing import RateLimit
from .base import GenerationError, Output, ext_from_content_type
from .hosted import HostedBackend, base_url

DEFAULT_BASE_URL = "https://api.stability.ai"
# Stability bills credits per successful call (1 credit = $0.01); the
# credits of each endpoint: docs/providers-research.md section 11.
PRICING_URL = "https://platform.stability.ai/pricing"
# where each endpoint's own credits are stated (3D, edits, SD 3.5 Flash)
API_REFERENCE = "https://platform.stability.ai/docs/api-reference"
PRICES_CHECKED = "2026-11-29"


def credits(amount, unit="image", source=PRICING_URL, checked=PRICES_CHECKED):
    """The price of a Stability endpoint: ``amount`` credits per ``unit``."""
    from ..pricing import Credits

    return Credits(credits=amount, unit=unit, checked=checked, source=source)



@dataclass
class Stability(HostedBackend):
    """A Stability AI endpoint, e.g. ``stable-image/generate/core`` or
    ``stable-image/generate/sd3`` with ``model="sd3.5-large"``."""

    endpoint: str = ""
    model_name: Optional[str] = None
    accept: str = "image/*"
    output_ext: str = "png"

    kind = "stability"
    label = "Stability AI"
    secret = "STABILITY_API_KEY"
    packages = {"requests": "requests"}
    # 150 requests per 10 s and no Retry-After (docs/providers-research.md):
    # at 15 a second, a 5 s generation keeps 75 requests in flight
    rate_limit = RateLimit(150, 10)
    concurrency = 96
    max_concurrency = 128

    @property
    def ref(self):
        return f"{self.endpoint}:{self.model_name}" if self.model_name else self.endpoint

    def files_for(self, job):
        """The multipart file parts: the source image, if any (edits add a
        mask). The API requires a multipart body even without a file."""
        if job.source_path:
            return {"image": open(job.source_path, "rb")}
        return {"none": ("", b"")}

    def generate(self, job, secrets):
        import requests

        if job.source_path:  # a chain's intermediate image is checked here
            problem = self.source_problem(job.source_path)
            if problem:
                raise GenerationError(problem)
        fields = self.provider_input(job)
        if self.model_name:
            fields["model"] = self.model_name
        files = self.files_for(job)
        url = f"{base_url('STABILITY_BASE_URL', DEFAULT_BASE_URL)}/v2beta/{self.endpoint}"
        try:
            response = requests.post(
                url,
                headers={
                    "Authorization": f"Bearer {secrets.get(self.secret)}",
                    "Accept": self.accept,
                },
                data={k: str(v) for k, v in fields.items()},
                files=files,
                timeout=job.timeout_s,
            )
        except requests.Timeout:
            # it may have made (and billed) the image: report, do not retry
            raise GenerationError(f"Stability AI did not answer within {job.timeout_s:g} s "
                                  "(the run's timeout)") from None
        except requests.RequestException as e:
            raise GenerationError(f"could not reach Stability AI: {type(e).__name__}",
                                  retryable=True) from None
        finally:
            for f in files.values():
                if hasattr(f, "close"):
                    f.close()

        if response.status_code != 200:
            raise _error(response)
        finish = response.headers.get("finish-reason", "SUCCESS")
        if finish == "CONTENT_FILTERED":
            raise GenerationError(
                "Stability AI's content filter blocked this output; "
                "try another prompt or seed"
            )
        seed = response.headers.get("seed")
        return [
            Output(
                data=response.content,
                ext=ext_from_content_type(response.headers.get("content-type"),
                                          self.output_ext),
                seed=int(seed) if seed and seed.isdigit() else job.seed,
                request_id=response.headers.get("x-request-id")
                or response.headers.get("cf-ray"),
                provider_ref=self.ref,
                extra={"finish_reason": finish},
            )
        ]


def _error(response):
    try:
        body = response.json()
        errors = "; ".join(body.get("errors") or []) or body.get("name", "")
    except ValueError:
        errors = response.text[:300]
    status = response.status_code
    if status == 401:
        return GenerationError("Stability AI rejected the API key: check STABILITY_API_KEY")
    if status == 402:
        return GenerationError(f"Stability AI account is out of credits: {errors}")
    if status == 403:
        return GenerationError(f"Stability AI's moderation flagged the request: {errors}")
    if status == 429:
        return GenerationError(f"Stability AI rate limit: {errors}", rate_limited=True)
    if status >= 500:
        return GenerationError(f"Stability AI server error {status}: {errors}",
                               retryable=True)
    return GenerationError(f"Stability AI rejected the request ({status}): {errors}")
