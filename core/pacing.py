"""Pacing a run's requests to each provider's own limits.

A backend declares its provider's documented rate (``RateLimit``: Replicate's
600 prediction creates a minute, Stability's 150 requests per 10 s) and how
many requests may be in flight (``concurrency`` to start, ``max_concurrency``
at most). One :class:`Pacer` per provider and run spaces requests at that
rate, so a burst never trips the limit, and adapts how many run at once to
what the provider answers: a rate-limit answer halves it and holds every
request for the wait the provider asked; each success raises it by one.
"""

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """A provider's documented limit: ``requests`` per ``seconds``."""

    requests: int
    seconds: float

    @property
    def interval(self):
        return self.seconds / self.requests


class Pacer:
    def __init__(self, rate=None, concurrency=1, max_concurrency=None,
                 clock=time.monotonic, sleep=time.sleep):
        self.rate = rate
        self.limit = max(1, concurrency)
        self.ceiling = max(self.limit, max_concurrency or self.limit)
        self.in_flight = 0
        self._clock, self._sleep = clock, sleep
        self._next_start = clock()  # when the next request may start
        self._cond = threading.Condition()

    @contextmanager
    def slot(self, cancelled=None):
        """Held for one item (its attempts included): at most ``limit`` at once."""
        with self._cond:
            while self.in_flight >= self.limit and not (cancelled and cancelled.is_set()):
                self._cond.wait(0.5)
            self.in_flight += 1
        try:
            yield
        finally:
            with self._cond:
                self.in_flight -= 1
                self._cond.notify_all()

    def wait_turn(self, cancelled=None):
        """Before each request: waits until the documented rate (and any
        wait the provider asked for) allows it."""
        with self._cond:
            start = max(self._clock(), self._next_start)
            if self.rate is not None:
                self._next_start = start + self.rate.interval
        delay = start - self._clock()
        if delay > 0:
            if cancelled is not None:
                cancelled.wait(delay)
            else:
                self._sleep(delay)

    def throttled(self, retry_after=None):
        """The provider refused for rate: fewer at once, and a pause."""
        with self._cond:
            self.limit = max(1, self.limit // 2)
        if retry_after:
            self.hold(retry_after)

    def hold(self, seconds):
        """No request starts for ``seconds`` (the provider asked for a wait,
        or said its window is used up)."""
        with self._cond:
            self._next_start = max(self._next_start, self._clock() + seconds)

    def observe(self, rate=None, remaining=None, reset_s=None):
        """What a provider reports on each answer (OpenAI's ``x-ratelimit-*``
        headers): its rate, learnt when none is declared, and a hold until
        the window resets when nothing is left in it."""
        if rate is not None and self.rate is None:
            with self._cond:
                self.rate = rate
        if remaining == 0:
            self.hold(reset_s or 1.0)

    def succeeded(self):
        with self._cond:
            if self.limit < self.ceiling:
                self.limit += 1
                self._cond.notify()
