"""A run's budget (``max_cost``): what it has spent, and whether another
hosted item may start.

Items run concurrently, so an item reserves its estimated cost when it
starts and settles what it really cost (reported or estimated, see
:mod:`core.pricing`) when it ends. A new item starts only while what is
spent plus what running items are expected to cost is below the budget: the
run may end a little over it (by what the last items cost), never by a
whole queue of running items. An item whose cost cannot be estimated
reserves nothing and counts what it cost once it is known.
"""

import threading

from .pricing import cost_of, is_hosted, usd

NOT_RUN = "not run: "  # how failures of items a run never started begin


class Budget:
    def __init__(self, max_usd=None):
        self.max_usd = max_usd
        self.spent = 0.0
        self._running = 0.0
        self._lock = threading.Lock()

    @property
    def message(self):
        return f"{NOT_RUN}budget of {usd(self.max_usd)} reached"

    def reserve(self, item):
        """The amount reserved for starting ``item``, or None when the budget
        is reached (the item must not start)."""
        expected = expected_usd(item)
        with self._lock:
            if self.max_usd is not None and self.spent + self._running >= self.max_usd:
                return None
            self._running += expected
            return expected

    def settle(self, reserved, spent):
        """An item that reserved ``reserved`` ended having cost ``spent``."""
        with self._lock:
            self._running -= reserved
            self.spent += spent


def may_cost(backend):
    """Whether running ``backend`` may be paid for: a hosted model, or a
    chain of models (its steps' costs add up as it runs)."""
    return is_hosted(backend) or getattr(backend, "priced_by_steps", False)


def expected_usd(item):
    """The estimated cost of a work item (0 when it cannot be estimated)."""
    price = getattr(item.choice.backend, "price", None)
    cost = price.estimate(item.choice.options, item.job.count) if price else None
    return cost.usd if cost is not None else 0.0


def outputs_usd(item, outputs):
    """What ``outputs`` of ``item`` cost (reported, else estimated)."""
    total = 0.0
    for output in outputs:
        cost = cost_of(item, output)
        total += cost["usd"] if cost else 0.0
    return total
