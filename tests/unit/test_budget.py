"""A run's budget: it stops starting new hosted items once reached; what
finished stays and the rest is listed as not run because of the budget."""

from dataclasses import dataclass

import pytest

from tests.unit.conftest import module
from tests.unit.test_run import MemoryWriter

base = module("core.backends.base")
hosted = module("core.backends.hosted")
catalog = module("core.catalog")
plan_module = module("core.plan")
pricing = module("core.pricing")
request_module = module("core.request")
Run = module("core.run").Run


@dataclass
class Priced(hosted.HostedBackend):
    """One at a time, each output costing what the provider reports (when
    ``reports``) or the declared price."""

    reports: float = None

    kind = "priced"
    label = "Priced"
    secret = "KEY"
    concurrency = 1

    @property
    def ref(self):
        return "priced"

    def generate(self, job, secrets):
        cost = (pricing.Cost(self.reports, True, "reported").to_dict()
                if self.reports is not None else None)
        return [base.Output(data=job.prompt.encode(), ext="txt", cost=cost)
                for _ in range(job.count)]


def run(backend, prompts, max_cost):
    model = catalog.Model("priced", "Priced", "txt2img", backends=(backend,))
    choice = request_module.Choice(model, backend, {}, count=1)
    items = plan_module.plan([choice], prompts, seed=1)
    writer = MemoryWriter()
    run = Run(items, {"KEY": "k"}, writer, max_cost=max_cost)
    progress = list(run)
    return run, writer, progress


PROMPTS = [f"p{i}" for i in range(10)]


def test_the_budget_stops_starting_items_once_reached():
    backend = Priced(price=pricing.PerOutput(usd=0.01))
    done, writer, progress = run(backend, PROMPTS, max_cost=0.035)
    # each item starts while what is spent and running is under $0.035:
    # the fourth starts at $0.03 and the run ends at $0.04
    assert writer.sample_ids == ["p0", "p1", "p2", "p3"]
    assert done.spent_usd == pytest.approx(0.04)
    assert [f.prompt for f in done.failed] == PROMPTS[4:]
    assert {f.error for f in done.failed} == {"not run: budget of $0.035 reached"}
    assert progress[-1].done == 4 and progress[-1].failed == 6
    assert progress[-1].label == "4/10 generated, 6 failed, $0.04 spent"


def test_reported_cost_counts_against_the_budget():
    backend = Priced(price=pricing.PerOutput(usd=0.01), reports=0.02)
    done, writer, _ = run(backend, PROMPTS, max_cost=0.05)
    assert writer.sample_ids == ["p0", "p1", "p2"]
    assert done.spent_usd == pytest.approx(0.06)


def test_without_a_budget_everything_runs_and_the_cost_is_summed():
    backend = Priced(price=pricing.PerOutput(usd=0.01))
    done, writer, _ = run(backend, PROMPTS, max_cost=None)
    assert len(writer.sample_ids) == 10 and not done.failed
    assert done.spent_usd == pytest.approx(0.1)


def test_a_spent_budget_never_stops_local_items():
    from tests.unit.test_packing import Packing, choice

    items = plan_module.plan([choice("local", Packing())], ["a"], seed=1)
    writer = MemoryWriter()
    done = Run(items, {}, writer, max_cost=0.01)
    done.budget.spent = 0.02  # hosted items spent it already
    list(done)
    assert len(writer.sample_ids) == 1 and not done.failed
