"""OpenAI's Images API, through the official ``openai`` client.

The client honours ``OPENAI_BASE_URL`` and retries 429 and 5xx itself,
honouring ``retry-after``. GPT image models return base64 only.
"""

import base64
from dataclasses import dataclass

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
    concurrency = 8

    @property
    def ref(self):
        return self.model_name

    def generate(self, job, secrets):
        import openai

        client = openai.OpenAI(api_key=secrets.get(self.secret), max_retries=4)
        body = self.provider_input(job, batch_field="n")
        try:
            raw = client.images.with_raw_response.generate(
                model=self.model_name, **body
            )
        except openai.APIStatusError as e:
            raise _error(e) from None
        except openai.APIConnectionError as e:
            raise GenerationError(f"could not reach OpenAI: {e}", retryable=True) from None
        response = raw.parse()
        request_id = raw.headers.get("x-request-id")
        ext = {"jpeg": "jpg"}.get(body.get("output_format", "png"),
                                  body.get("output_format", "png"))
        return [
            Output(
                data=base64.b64decode(image.b64_json),
                ext=ext,
                request_id=request_id,
                provider_ref=self.model_name,
                revised_prompt=getattr(image, "revised_prompt", None),
                extra={"batch_index": i},
            )
            for i, image in enumerate(response.data or [])
        ]


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
    if e.status_code == 429:
        return GenerationError(f"OpenAI rate limit or quota: {message}", retryable=True)
    if e.status_code >= 500:
        return GenerationError(f"OpenAI server error {e.status_code}: {message}",
                               retryable=True)
    return GenerationError(f"OpenAI rejected the request: {message}")
