"""Running work items: concurrently, bounded per provider, with retries.

Hosted calls run concurrently. Local work (backends that declare
``packs_inputs``) runs in one lane beside them: all items of one model and
options go to the backend at once, which packs them into pipeline calls, and
models follow one another, so each loads once per run. The worker that
produced an output also does its media work (checks, probes, previews,
files: ``writer.prepare``; local outputs on a media thread beside the lane),
so the thread that collects results only adds samples. A failure is recorded and
the run goes on; every finished output is written as soon as it arrives, so
nothing finished is lost.
"""

import json
import logging
import os
import queue
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional

from .backends.base import GenerationError
from .budget import Budget, may_cost, outputs_usd
from .pacing import Pacer
from .pricing import usd
from .plan import count_outputs
from .retry import with_retries
from .secrets import redact

logger = logging.getLogger(__name__)

MAX_THREADS = 256
NOT_STARTED = "cancelled before it started"


@dataclass
class Failure:
    """Something a run could not make, and why: one shape for every task
    (an input that cannot be used has no model yet)."""

    error: str
    model: Optional[str] = None
    backend: Optional[str] = None
    prompt: Optional[str] = None
    source_id: Optional[str] = None
    source: Optional[str] = None  # the source image's path

    @classmethod
    def of(cls, item, error):
        source = item.source
        return cls(error, model=item.choice.model.id, backend=item.choice.backend.kind,
                   prompt=item.prompt, source_id=source.sample_id if source else None,
                   source=source.filepath if source else None)

    def to_dict(self):
        return asdict(self)

    @property
    def what(self):
        """How a person recognises the item: its model and its prompt or
        source file (not a sample id)."""
        parts = [self.model or "", f"“{self.prompt}”" if self.prompt else (
            os.path.basename(self.source) if self.source else "")]
        return " on ".join(p for p in parts if p) or "an input"


@dataclass
class Progress:
    done: int
    total: int
    failed: int
    elapsed_s: float
    eta_s: Optional[float] = None  # None until every running model has a pace
    spent_usd: float = 0.0  # what the hosted outputs so far cost (core.pricing)

    @property
    def fraction(self):
        """Finished outputs, made or failed: a run that ends reads 100%."""
        return min(1.0, (self.done + self.failed) / self.total) if self.total else 1.0

    @property
    def label(self):
        text = f"{self.done}/{self.total} generated"
        if self.failed:
            text += f", {self.failed} failed"
        if self.spent_usd:
            text += f", {usd(self.spent_usd)} spent"
        if self.done + self.failed < self.total:
            text += (f", about {_duration(self.eta_s)} left" if self.eta_s is not None
                     else ", estimating the time left")
        return text


class Pace:
    """How fast each model's outputs finish, learnt as they do: the time
    left is that of the slowest model (models run side by side), and is not
    guessed before each model still running has finished something."""

    def __init__(self, items):
        self.left, self.finished = {}, {}
        for item in items:
            key = (item.choice.model.id, item.choice.backend.kind)
            self.left[key] = self.left.get(key, 0) + item.job.count
            self.finished.setdefault(key, 0)

    def record(self, item):
        key = (item.choice.model.id, item.choice.backend.kind)
        self.left[key] -= item.job.count
        self.finished[key] += item.job.count

    def eta(self, elapsed_s):
        pending = [k for k, n in self.left.items() if n > 0]
        if not pending or elapsed_s <= 0 or any(self.finished[k] == 0 for k in pending):
            return None
        return max(self.left[k] * elapsed_s / self.finished[k] for k in pending)


def _duration(seconds):
    seconds = int(round(seconds))
    if seconds < 90:
        return f"{seconds}s"
    return f"{seconds // 60}m{seconds % 60:02d}s"


@dataclass
class Run:
    """Runs work items, handing outputs to ``writer`` as they arrive.

    Iterate it to get :class:`Progress` after each finished item; afterwards
    ``failed`` lists what failed (:class:`Failure`) and ``writer`` holds what
    was written. ``cancel()``, or ``should_stop()`` returning True (polled
    every couple of seconds), stops starting new items; running ones finish
    and are kept. ``max_cost`` (US dollars) stops starting new hosted items
    once reached (:mod:`core.budget`); those are listed as failed "not run:
    budget of $X reached", and ``spent_usd`` says what the run cost.
    """

    items: List[Any]
    secrets: Dict[str, str]
    writer: Any
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    failed: List[Failure] = field(default_factory=list)
    should_stop: Any = None
    flush_every_s: float = 2.0
    skipped: int = 0  # outputs already in the dataset (a resumed run)
    max_cost: Optional[float] = None

    def __post_init__(self):
        self.budget = Budget(self.max_cost)
        self._cancelled = threading.Event()
        self._abandoned = threading.Event()  # the caller stopped iterating
        kinds = {item.choice.backend.kind: item.choice.backend for item in self.items}
        self._pacers = {k: Pacer(b.rate_limit, b.concurrency, b.max_concurrency)
                        for k, b in kinds.items()}
        for item in self.items:  # what a backend waiting on a provider reads
            item.job.cancelled = self._cancelled
            item.job.pace = self._pacers[item.choice.backend.kind].observe
        # threads mostly wait on providers; the pacers decide how many run
        self._workers = max(1, min(MAX_THREADS, sum(p.ceiling for p in self._pacers.values())))

    def cancel(self):
        self._cancelled.set()

    @property
    def cancelled(self):
        return self._cancelled.is_set()

    @property
    def spent_usd(self):
        """What the hosted outputs of this run cost (reported or estimated;
        outputs of unknown price count nothing)."""
        return self.budget.spent

    def __iter__(self):
        total = count_outputs(self.items)
        done = failed = 0
        pace = Pace(self.items)
        start = last_flush = last_poll = time.perf_counter()
        finished = queue.SimpleQueue()  # O(1) per completion, however many items
        lanes = packs(self.items, self.secrets)
        in_lanes = {id(item) for _, items in lanes for item in items}
        pool = ThreadPoolExecutor(self._workers, thread_name_prefix="multigen")
        # local work: one lane, one model after another, and the media work of
        # its outputs beside it (never queued behind hosted requests)
        lane = ThreadPoolExecutor(1, thread_name_prefix="multigen-local")
        media = ThreadPoolExecutor(1, thread_name_prefix="multigen-media")
        try:
            for item in self.items:
                if id(item) not in in_lanes:
                    pool.submit(self._run_one, item).add_done_callback(
                        lambda future, item=item: finished.put((item, _outcome(future))))
            if lanes:
                lane.submit(self._run_lanes, lanes, media, finished)
            for _ in range(len(self.items)):
                while True:
                    now = time.perf_counter()
                    if self.should_stop and now - last_poll >= 2.0:
                        last_poll = now
                        if self.should_stop():
                            self.cancel()
                    # samples reach the dataset at least every few seconds,
                    # so a crash loses little and the App sees progress
                    if now - last_flush >= self.flush_every_s:
                        self.writer.flush()
                        last_flush = now
                    try:
                        item, (prepared, latency, error) = finished.get(timeout=1.0)
                        break
                    except queue.Empty:
                        continue
                if prepared:
                    write_error = self._write(item, prepared)
                    if write_error:
                        prepared, error = None, write_error  # nothing of it was saved
                    else:
                        done += len(prepared)
                if error:
                    self.failed.append(Failure.of(item, error))
                    failed += max(1, item.job.count - len(prepared or []))
                pace.record(item)
                elapsed = time.perf_counter() - start
                yield Progress(done, total, failed, elapsed, pace.eta(elapsed),
                               self.budget.spent)
        finally:
            self._abandoned.set()
            for executor in (pool, lane, media):
                executor.shutdown(wait=True, cancel_futures=True)
            self.writer.flush()

    def _run_lanes(self, lanes, media, finished):
        """In the local lane: each group of items (one model and options) in
        one ``generate_many``, groups one after another, so each model loads
        once and a memory budget never thrashes. Outputs go to the media
        worker as each item's are done."""
        for backend, items in lanes:
            # a group that pays a provider (a chain with a hosted step) under
            # a budget starts its items one at a time, each only while the
            # budget allows; otherwise the whole group is one call
            budgeted = self.max_cost is not None and may_cost(backend)
            for batch in ([item] for item in items) if budgeted else [items]:
                self._run_lane_batch(backend, batch, media, finished, budgeted)

    def _run_lane_batch(self, backend, items, media, finished, budgeted=False):
        """One ``generate_many`` call over ``items``; a ``budgeted`` one (a
        single item) starts only while the budget allows."""
        by_job = {id(item.job): item for item in items}
        reported = set()
        error = NOT_STARTED
        last = time.perf_counter()
        reserved = 0.0
        if budgeted:
            reserved = self.budget.reserve(items[0])
            if reserved is None:  # the budget is spent: never started
                reserved, error = 0.0, self.budget.message
        stopped = self._cancelled.is_set() or self._abandoned.is_set()
        if error == NOT_STARTED and not stopped:
            try:
                for job, outputs, failure in backend.generate_many(
                        [item.job for item in items], self.secrets):
                    item = by_job[id(job)]
                    reported.add(id(job))
                    self.budget.settle(reserved, outputs_usd(item, outputs or ()))
                    reserved = 0.0
                    now = time.perf_counter()
                    latency, last = now - last, now
                    if outputs and all(o.latency_s is not None for o in outputs):
                        latency = sum(o.latency_s for o in outputs)  # its share
                    message = redact(failure, self.secrets) if failure else None
                    media.submit(self._prepare, item, outputs, latency, message
                                 ).add_done_callback(lambda future, item=item: finished.put(
                                     (item, _outcome(future))))
                    if self._cancelled.is_set() or self._abandoned.is_set():
                        break
            except Exception as e:  # a bug: what is left of the group fails
                error = redact(f"{type(e).__name__}: {e}", self.secrets)
                logger.warning("local generation failed: %s", error)
        self.budget.settle(reserved, 0.0)
        for item in items:
            if id(item.job) not in reported:
                finished.put((item, (None, 0.0, error)))

    def _prepare(self, item, outputs, latency, error=None):
        """The media work of an item's outputs; (prepared, latency, error).
        Each output's latency is its share of a packed call, else an equal
        share of the item's; when some failed, the rest keep their own index
        (from their seed) so their resume keys stay theirs."""
        if not outputs:
            return None, latency, error
        each = latency / max(1, len(outputs))
        offsets = range(len(outputs))
        if error is not None and item.job.seed is not None and all(
                o.seed is not None for o in outputs):
            offsets = [o.seed - item.job.seed for o in outputs]
        try:
            return [self.writer.prepare(item, offset, o, run_id=self.run_id,
                                        latency_s=o.latency_s if o.latency_s is not None
                                        else each)
                    for offset, o in zip(offsets, outputs)], latency, error
        except Exception as e:
            logger.warning("saving outputs failed: %s", redact(e, self.secrets))
            return None, latency, redact(f"could not save the output: {e}", self.secrets)

    def _run_one(self, item):
        """In a worker: the backend call, paced to its provider, then the
        outputs' media work. Returns (prepared outputs, latency, error)."""
        backend = item.choice.backend
        pacer = self._pacers[backend.kind]

        def attempt():
            pacer.wait_turn(self._cancelled)
            if self._cancelled.is_set():
                raise GenerationError(NOT_STARTED)
            try:
                outputs = backend.generate(item.job, self.secrets)
            except GenerationError as e:
                if e.rate_limited:
                    pacer.throttled(e.retry_after)
                raise
            pacer.succeeded()
            return outputs

        with pacer.slot(self._cancelled):
            if self._cancelled.is_set():
                return None, 0.0, NOT_STARTED
            reserved = self.budget.reserve(item)
            if reserved is None:  # the budget is spent: never started
                return None, 0.0, self.budget.message
            start = time.perf_counter()
            try:
                outputs = with_retries(attempt)
            except GenerationError as e:
                self.budget.settle(reserved, 0.0)
                return None, 0.0, redact(e, self.secrets)
            except Exception as e:  # a bug or an unexpected provider reply
                self.budget.settle(reserved, 0.0)
                message = redact(f"{type(e).__name__}: {e}", self.secrets)
                logger.warning("generation failed: %s", message)
                return None, 0.0, message
            latency = time.perf_counter() - start
            self.budget.settle(reserved, outputs_usd(item, outputs))
        # outside the provider's slot: the next request need not wait
        return self._prepare(item, outputs, latency)

    def _write(self, item, prepared):
        try:
            self.writer.add(item, prepared)
        except Exception as e:
            logger.warning("writing outputs failed: %s", redact(e, self.secrets))
            return redact(f"could not save the output: {e}", self.secrets)
        return None


def _outcome(future):
    """(prepared, latency, error) of a finished worker task, whatever it did."""
    try:
        return future.result()
    except Exception as e:  # noqa: BLE001 - reported as the item's failure
        return None, 0.0, f"{type(e).__name__}: {e}"


def pack_key(item):
    """Items with the same key can share a pipeline call."""
    choice = item.choice
    return (choice.model.id, choice.backend.kind, id(choice.backend),
            json.dumps(choice.options, sort_keys=True, default=str))


def packs(items, secrets):
    """The items that run in the local lane, grouped by :func:`pack_key` in
    the order each group first appears: [(backend, [items])]."""
    groups = {}
    for item in items:
        groups.setdefault(pack_key(item), (item.choice.backend, []))[1].append(item)
    # asked once per group: a chain resolves its steps to answer
    return [(backend, group) for backend, group in groups.values()
            if backend.packs(group[0].choice.options, secrets)]
