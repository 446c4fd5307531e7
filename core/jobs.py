"""Turning a request into work items and running them.

A request is several models x several inputs (prompts or source images) x
``num_images``. Each (model, input) becomes one or more backend calls of at
most ``max_batch`` outputs. Hosted calls run concurrently, bounded per
provider, with retries; local calls run one at a time on the device. A failure
is recorded and the run goes on; every finished output is written as soon as
it arrives, so nothing finished is lost.
"""

import logging
import random
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional

from .backends.base import GenerationError, Job
from .params import SEED
from .provenance import item_key
from .retry import with_retries
from .secrets import redact

logger = logging.getLogger(__name__)


@dataclass
class Choice:
    """One model as the user configured it for a run."""

    model: Any
    backend: Any
    options: Dict[str, Any]  # validated, defaults filled in


@dataclass
class Source:
    """An input sample of an image-to-X run."""

    sample_id: str
    filepath: str


@dataclass
class WorkItem:
    choice: Choice
    prompt: Optional[str]
    source: Optional[Source]
    base_seed: Optional[int]
    first_index: int
    job: Job
    # the run's seed, also for models that take none: outputs of different
    # models for the same input share it, so they are compared side by side
    run_seed: Optional[int] = None

    def output_key(self, offset=0):
        """The deterministic key of output ``first_index + offset``."""
        return item_key(self.choice.model.id, self.choice.backend.kind, self.prompt,
                        self.choice.options, self.base_seed, self.first_index + offset,
                        self.source.sample_id if self.source else None)

    @property
    def description(self):
        return {
            "model": self.choice.model.id,
            "backend": self.choice.backend.kind,
            "prompt": self.prompt,
            **({"source_id": self.source.sample_id} if self.source else {}),
        }


def random_seed():
    return random.randint(0, SEED.max)


def plan(choices, prompts=(None,), sources=(None,), seed=None):
    """The work items of a run. One seed serves every model, so outputs for
    the same input and index are comparable across models."""
    if seed is None:
        seed = random_seed()
    items = []
    for choice in choices:
        options = dict(choice.options)
        count = int(options.pop("num_images", 1) or 1)
        options.pop("seed", None)
        seeded = choice.model.seeded
        batch = max(1, choice.backend.max_batch)
        for source in sources:
            for prompt in prompts:
                for first in range(0, count, batch):
                    size = min(batch, count - first)
                    job = Job(
                        model=choice.model,
                        prompt=prompt,
                        options=options,
                        seed=(seed + first) if seeded else None,
                        count=size,
                        source_path=source.filepath if source else None,
                    )
                    items.append(WorkItem(choice, prompt, source,
                                          seed if seeded else None, first, job,
                                          run_seed=seed))
    return items


def count_outputs(items):
    return sum(item.job.count for item in items)


def without_existing(items, existing_keys):
    """Drops outputs whose key is already in the dataset (a re-run after a
    crash generates only what is missing). Returns (items, skipped count)."""
    if not existing_keys:
        return items, 0
    kept, skipped = [], 0
    for item in items:
        missing = [i for i in range(item.job.count)
                   if item.output_key(i) not in existing_keys]
        skipped += item.job.count - len(missing)
        if len(missing) == item.job.count:
            kept.append(item)
            continue
        for offset in missing:  # one item per missing output, same seed as before
            index = item.first_index + offset
            job = replace(item.job, count=1,
                          seed=None if item.base_seed is None else item.base_seed + index)
            kept.append(replace(item, first_index=index, job=job))
    return kept, skipped


def shard(items, index, count):
    """Shard ``index`` of ``count``: a deterministic, balanced slice of the
    plan, so shards run by different workers never overlap."""
    return items[index::count]


@dataclass
class Progress:
    done: int
    total: int
    failed: int
    elapsed_s: float

    @property
    def fraction(self):
        return self.done / self.total if self.total else 1.0

    @property
    def label(self):
        text = f"{self.done}/{self.total} generated"
        if self.failed:
            text += f", {self.failed} failed"
        if 0 < self.done < self.total:
            eta = self.elapsed_s / self.done * (self.total - self.done)
            text += f", about {_duration(eta)} left"
        return text


def _duration(seconds):
    seconds = int(round(seconds))
    if seconds < 90:
        return f"{seconds}s"
    return f"{seconds // 60}m{seconds % 60:02d}s"


@dataclass
class Run:
    """Runs work items, handing outputs to ``writer`` as they arrive.

    Iterate it to get :class:`Progress` after each finished item; afterwards
    ``failed`` lists what failed and ``writer`` holds what was written.
    ``cancel()``, or ``should_stop()`` returning True (polled every couple
    of seconds), stops starting new items; running ones finish and are kept.
    """

    items: List[WorkItem]
    secrets: Dict[str, str]
    writer: Any
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    failed: List[dict] = field(default_factory=list)
    should_stop: Any = None
    flush_every_s: float = 2.0
    skipped: int = 0  # outputs already in the dataset (a resumed run)

    def __post_init__(self):
        self._cancelled = threading.Event()
        kinds = {item.choice.backend.kind: item.choice.backend for item in self.items}
        self._slots = {k: threading.Semaphore(b.concurrency) for k, b in kinds.items()}
        self._workers = max(1, min(64, sum(b.concurrency for b in kinds.values())))

    def cancel(self):
        self._cancelled.set()

    @property
    def cancelled(self):
        return self._cancelled.is_set()

    def __iter__(self):
        total = count_outputs(self.items)
        done = failed = 0
        start = last_flush = last_poll = time.perf_counter()
        pool = ThreadPoolExecutor(self._workers, thread_name_prefix="multigen")
        try:
            pending = {pool.submit(self._run_one, item): item for item in self.items}
            while pending:
                finished, _ = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
                now = time.perf_counter()
                if self.should_stop and now - last_poll >= 2.0:
                    last_poll = now
                    if self.should_stop():
                        self.cancel()
                for future in finished:
                    item = pending.pop(future)
                    outputs, latency, error = future.result()
                    if outputs:
                        error = self._write(item, outputs, latency) or error
                        done += len(outputs)
                    if error:
                        missing = item.job.count - len(outputs or [])
                        self.failed.append({**item.description, "error": error})
                        failed += max(1, missing)
                    yield Progress(done, total, failed, time.perf_counter() - start)
                # samples reach the dataset at least every few seconds, so a
                # crash loses little and the App sees progress
                if now - last_flush >= self.flush_every_s:
                    self.writer.flush()
                    last_flush = now
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self.writer.flush()

    def _run_one(self, item):
        backend = item.choice.backend
        with self._slots[backend.kind]:
            if self._cancelled.is_set():
                return None, 0.0, "cancelled before it started"
            start = time.perf_counter()
            try:
                outputs = with_retries(lambda: backend.generate(item.job, self.secrets))
                return outputs, time.perf_counter() - start, None
            except GenerationError as e:
                return None, 0.0, redact(e, self.secrets)
            except Exception as e:  # a bug or an unexpected provider reply
                message = redact(f"{type(e).__name__}: {e}", self.secrets)
                logger.warning("generation failed: %s", message)
                return None, 0.0, message

    def _write(self, item, outputs, latency):
        try:
            self.writer.add(item, outputs, latency / max(1, len(outputs)), self.run_id)
        except Exception as e:
            logger.warning("writing outputs failed: %s", redact(e, self.secrets))
            return redact(f"could not save the output: {e}", self.secrets)
        return None
