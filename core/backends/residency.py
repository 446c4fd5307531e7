"""Which loaded pipelines stay on the device: a budget, least recently used
out first.

Comparing three large local models on one GPU must not load all three onto
it. Every loaded pipeline is an :class:`Entry` here, with the bytes its
memory plan keeps on the device. Before a pipeline loads or comes back, the
least recently used others leave the device until it fits: moved to host
memory while the host budget holds them (coming back is a copy, not a
load), dropped otherwise. Runs order local work by model (``core.run``), so
each model loads once per run whatever the budget.

The budget is the free GPU memory plus what these pipelines already hold,
capped by ``MULTIGEN_DEVICE_MEMORY_GIB``; what evicted pipelines may keep in
host memory is the available host memory, capped by
``MULTIGEN_HOST_MEMORY_GIB`` (0: drop them). On the CPU (and Apple
GPUs) the same bookkeeping runs with the settings as a simulated budget
(unlimited when unset), so tests count loads and evictions on tiny
pipelines. Moving a pipeline is the caller's (``move``); this module keeps
the accounts and imports nothing heavy.
"""

import os
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Optional

from .placement import GIB

DEVICE_SETTING = "MULTIGEN_DEVICE_MEMORY_GIB"
HOST_SETTING = "MULTIGEN_HOST_MEMORY_GIB"


def setting_bytes(name):
    """A GiB setting from the environment, in bytes (None when unset)."""
    value = os.environ.get(name)
    if not value:
        return None
    try:
        return int(float(value) * GIB)
    except ValueError:
        raise ValueError(f"{name} must be a number of GiB; got {value!r}") from None


def available_host_bytes():
    """Available host memory (Linux's MemAvailable), or None when unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def cap(limit, measured):
    """The smaller of a setting and a measurement (either may be None)."""
    known = [v for v in (limit, measured) if v is not None]
    return min(known) if known else None


@dataclass
class Entry:
    """One loaded pipeline and where its weights are."""

    key: Any
    pipe: Any
    plan: Any  # placement.MemoryPlan
    weights: int  # bytes of all its weights
    on_device: bool = True  # False: moved to host memory by an eviction

    @property
    def device_bytes(self):
        """Bytes it holds on the device now (offloaded plans hold them in
        host memory; the device only lends them room while they run)."""
        return self.weights if self.on_device and self.plan.on_device else 0

    @property
    def host_bytes(self):
        return self.weights - self.device_bytes


class Residency:
    """Loaded pipelines, least recently used first, within a budget.

    ``move(entry, to_device)`` moves a pipeline's weights (set by the local
    backend; tests leave it a no-op). Counters: ``loads``, ``evictions`` (to
    host memory), ``restores`` (back from it) and ``drops``, by key.
    """

    def __init__(self, move: Optional[Callable] = None, release: Optional[Callable] = None):
        self.entries = OrderedDict()
        self.move = move or (lambda entry, to_device: None)
        self.release = release or (lambda: None)
        self.loads, self.evictions, self.restores, self.drops = (
            Counter(), Counter(), Counter(), Counter())

    def __contains__(self, key):
        return key in self.entries

    @property
    def pipelines(self):
        """{key: pipeline} of everything loaded."""
        return {k: e.pipe for k, e in self.entries.items()}

    def device_used(self):
        return sum(e.device_bytes for e in self.entries.values())

    def host_used(self):
        return sum(e.host_bytes for e in self.entries.values())

    def use(self, key, device_capacity, host_capacity, working=0):
        """The entry of ``key``, most recently used now, back on the device
        (with ``working`` bytes beside it) when an eviction had moved it to
        host memory; None when not loaded."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        self.entries.move_to_end(key)
        if not entry.on_device:
            self.make_room(entry.weights + working, device_capacity, host_capacity, keep=key)
            self.move(entry, True)
            entry.on_device = True
            self.restores[key] += 1
        return entry

    def make_room(self, need, device_capacity, host_capacity, keep=None):
        """Evicts least recently used pipelines until ``need`` more bytes fit
        on the device (or nothing else is left there). Returns the bytes the
        device then offers (None: no limit)."""
        if device_capacity is None:
            return None
        for key in list(self.entries):
            if self.device_used() + need <= device_capacity:
                break
            entry = self.entries[key]
            if key == keep or entry.device_bytes == 0:
                continue
            self._evict(entry, host_capacity)
        return max(0, device_capacity - self.device_used())

    def _evict(self, entry, host_capacity):
        """To host memory when it can hold it (after dropping pipelines that
        wait there, least recently used first), else dropped."""
        if self.free_host(entry.weights, host_capacity, keep=entry.key):
            self.move(entry, False)
            entry.on_device = False
            self.evictions[entry.key] += 1
        else:
            self.drop(entry.key)

    def free_host(self, need, host_capacity, keep=None):
        """Drops pipelines held in host memory, least recently used first,
        until ``need`` more bytes fit there; whether they do."""
        fits = (lambda: host_capacity is None or self.host_used() + need <= host_capacity)
        droppable = sum(e.host_bytes for k, e in self.entries.items()
                        if k != keep and e.device_bytes == 0)
        if host_capacity is not None and self.host_used() - droppable + need > host_capacity:
            return False  # dropping them all would not make room: drop none
        for key in list(self.entries):
            if fits():
                break
            if key != keep and self.entries[key].device_bytes == 0:
                self.drop(key)
        return fits()

    def drop(self, key):
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.drops[key] += 1
            entry.pipe = None
            self.release()

    def add(self, entry):
        self.entries[entry.key] = entry
        self.entries.move_to_end(entry.key)
        self.loads[entry.key] += 1
        return entry

    def clear(self):
        for key in list(self.entries):
            self.drop(key)
