"""Retrying rate-limited and transient provider failures with backoff."""

import random
import time

from .backends.base import GenerationError


def with_retries(fn, *, attempts=5, base_delay=1.0, max_delay=30.0, sleep=time.sleep):
    """Calls ``fn()`` and retries while it raises a retryable
    ``GenerationError``: waits the provider's Retry-After when it sent one,
    else exponential backoff with jitter."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except GenerationError as e:
            if not e.retryable or attempt == attempts:
                raise
            delay = e.retry_after
            if delay is None:
                delay = min(max_delay, base_delay * 2 ** (attempt - 1))
                delay *= 0.5 + random.random() / 2
            sleep(min(delay, max_delay))
