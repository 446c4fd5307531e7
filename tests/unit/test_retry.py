"""Retries: provider waits honoured, backoff otherwise, others not retried."""

import pytest

from tests.unit.conftest import module

retry = module("core.retry")
GenerationError = module("core.backends.base").GenerationError


def flaky(*errors, result="ok"):
    errors = list(errors)

    def call():
        if errors:
            raise errors.pop(0)
        return result
    return call


def test_retryable_errors_wait_as_the_provider_asked_then_back_off():
    waits = []
    fn = flaky(GenerationError("429", retryable=True, retry_after=7),
               GenerationError("503", retryable=True))
    assert retry.with_retries(fn, sleep=waits.append, base_delay=2.0) == "ok"
    assert waits[0] == 7 and 2.0 <= waits[1] <= 4.0  # 2 s x 2, with jitter


def test_other_errors_and_the_last_attempt_raise():
    with pytest.raises(GenerationError, match="bad input"):
        retry.with_retries(flaky(GenerationError("bad input")), sleep=lambda s: None)
    always = flaky(*[GenerationError("busy", retryable=True)] * 5)
    with pytest.raises(GenerationError, match="busy"):
        retry.with_retries(always, attempts=3, sleep=lambda s: None)
