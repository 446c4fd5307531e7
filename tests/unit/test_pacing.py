"""Pacing to a provider's limit, with a fake clock: no sleeps, no timing."""

import threading

from tests.unit.conftest import module

pacing = module("core.pacing")


class Clock:
    """A clock that moves only when the pacer sleeps."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_requests_are_spaced_at_the_documented_rate():
    clock = Clock()
    pacer = pacing.Pacer(pacing.RateLimit(600, 60), clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(4):
        pacer.wait_turn()
        starts.append(round(clock(), 6))
    assert starts == [0.0, 0.1, 0.2, 0.3]  # 10 a second, no burst past the limit
    pacer.throttled(retry_after=5)
    pacer.wait_turn()
    assert round(clock(), 6) == 5.3  # the wait the provider asked for comes first


def test_a_rate_limit_halves_concurrency_and_pauses_success_raises_it():
    clock = Clock()
    pacer = pacing.Pacer(None, concurrency=8, max_concurrency=10, clock=clock)
    pacer.throttled(retry_after=30)
    assert pacer.limit == 4 and pacer._next_start == 30
    for _ in range(20):
        pacer.succeeded()
    assert pacer.limit == 10  # never above the ceiling
    for _ in range(10):
        pacer.throttled()
    assert pacer.limit == 1  # never below one


def test_slots_bound_how_many_run_at_once():
    pacer = pacing.Pacer(None, concurrency=2)
    entered, release = threading.Semaphore(0), threading.Event()
    peak = []

    def item():
        with pacer.slot():
            peak.append(pacer.in_flight)
            entered.release()
            release.wait(30)

    threads = [threading.Thread(target=item) for _ in range(3)]
    for t in threads:
        t.start()
    assert entered.acquire(timeout=30) and entered.acquire(timeout=30)
    assert pacer.in_flight == 2  # the third waits for a slot
    release.set()
    for t in threads:
        t.join(30)
    assert max(peak) == 2 and pacer.in_flight == 0


def test_a_cancelled_wait_returns_at_once():
    clock = Clock()
    pacer = pacing.Pacer(pacing.RateLimit(1, 3600), clock=clock)
    cancelled = threading.Event()
    cancelled.set()
    pacer.wait_turn(cancelled)
    pacer.wait_turn(cancelled)  # would wait an hour; the run is cancelled
