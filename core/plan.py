"""Turning a request into work items: which backend calls a run makes.

A request is several models x several inputs (prompts or source images) x
``count`` outputs. Each (model, input) becomes one or more backend calls of at
most ``max_batch`` outputs. One seed serves every model, so outputs for the
same input and index are comparable across models; output ``i`` uses
``seed + i``. What a backend declares it does not take (a prompt, a seed) is
left out of its jobs here, once, for every task.
"""

import hashlib
import json
import random
from dataclasses import dataclass, replace
from typing import Any, List, Optional

from .backends.base import Job
from .params import SEED, TIMEOUT


@dataclass
class Source:
    """An input sample of an image-to-X run."""

    sample_id: str
    filepath: str
    mask_path: Optional[str] = None  # where the model may paint (edits)


@dataclass
class TaskInputs:
    """What a run works on: prompts and/or source samples, and the inputs
    that cannot be used (each reported as a failure, the rest still run)."""

    prompts: List[Optional[str]]
    sources: List[Optional[Source]]
    unusable: List[Any]  # run.Failure


@dataclass
class WorkItem:
    """One backend call: ``job.count`` outputs of one model for one input,
    starting at output ``first_index``."""

    choice: Any  # request.Choice
    prompt: Optional[str]  # as the user gave it (recorded even if not sent)
    source: Optional[Source]
    base_seed: Optional[int]  # the seed of output 0; None if the backend takes none
    first_index: int
    job: Job
    # the run's seed, also for models that take none: outputs of different
    # models for the same input share it, so they are compared side by side
    run_seed: Optional[int] = None
    # the template the prompt was expanded from and its slot values
    # (templates.Expansion), recorded in provenance; not part of the key:
    # the same prompt makes the same output whichever template made it
    expansion: Any = None

    def output_key(self, offset=0):
        """The deterministic key of output ``first_index + offset``: the same
        request gives the same key, so a re-run skips what exists. The one
        place the key is made (skipping and provenance both read it)."""
        payload = json.dumps(
            [self.choice.model.id, self.choice.backend.kind, self.prompt,
             self.choice.options, self.base_seed, self.first_index + offset,
             self.source.sample_id if self.source else None],
            sort_keys=True, default=str)
        return hashlib.sha1(payload.encode()).hexdigest()

    def compare_key(self, offset=0):
        """What outputs of different models for the same input share, so the
        App can show them side by side (``group_by("generation.compare_key")``)."""
        base = self.source.sample_id if self.source else self.prompt
        return hashlib.sha1(json.dumps(
            [base, self.run_seed, self.first_index + offset]).encode()).hexdigest()[:16]

    def seed_of(self, offset=0):
        return None if self.base_seed is None else self.base_seed + self.first_index + offset


def random_seed():
    return random.randint(0, SEED.max)


def plan(choices, prompts=(None,), sources=(None,), seed=None, timeout_s=TIMEOUT.default,
         expansions=None):
    """The work items of a run (``timeout_s``: how long hosted calls wait;
    ``expansions``: prompt -> the template it came from)."""
    expansions = expansions or {}
    if seed is None:
        seed = random_seed()
    items = []
    for choice in choices:
        backend = choice.backend
        base_seed = seed if backend.takes_seed else None
        batch = max(1, backend.max_batch)
        for source in sources:
            for prompt in prompts:
                for first in range(0, choice.count, batch):
                    job = Job(
                        model=choice.model,
                        prompt=prompt if backend.takes_prompt else None,
                        options=choice.options,
                        seed=None if base_seed is None else base_seed + first,
                        count=min(batch, choice.count - first),
                        source_path=source.filepath if source else None,
                        mask_path=source.mask_path if source else None,
                        timeout_s=timeout_s,
                    )
                    items.append(WorkItem(choice, prompt, source, base_seed, first, job,
                                          run_seed=seed, expansion=expansions.get(prompt)))
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
            job = replace(item.job, count=1, seed=item.seed_of(offset))
            kept.append(replace(item, first_index=item.first_index + offset, job=job))
    return kept, skipped


def shard(items, index, count):
    """Shard ``index`` of ``count``: a deterministic, balanced slice of the
    plan, so shards run by different workers never overlap."""
    return items[index::count]
