"""Running work items: outputs handed over as they come, media work in the
worker, failures in one shape, keys never in a message."""

import threading
from dataclasses import dataclass

from tests.unit.conftest import module

base = module("core.backends.base")
catalog = module("core.catalog")
plan_module = module("core.plan")
request_module = module("core.request")
Run = module("core.run").Run


@dataclass
class Scripted(base.Backend):
    """Answers each prompt as told: text, or an exception to raise."""

    kind = "scripted"
    label = "Scripted"
    concurrency = 4

    @property
    def ref(self):
        return "scripted"

    def generate(self, job, secrets):
        if job.prompt.startswith("fail"):
            raise base.GenerationError(f"refused, key {secrets['KEY']}")
        if job.prompt.startswith("crash"):
            raise RuntimeError("unexpected reply")
        return [base.Output(data=job.prompt.encode(), ext="txt") for _ in range(job.count)]


class MemoryWriter:
    """Records where each step ran, and what was written."""

    def __init__(self, fail_on=()):
        self.sample_ids, self.prepared_on, self.fail_on = [], set(), fail_on

    def prepare(self, item, offset, output, *, latency_s=0.0, run_id=None):
        self.prepared_on.add(threading.current_thread().name)
        if output.data.decode() in self.fail_on:
            raise ValueError("the file does not decode")
        return output

    def add(self, item, prepared):
        self.sample_ids.extend(p.data.decode() for p in prepared)

    def flush(self):
        pass


def run_prompts(prompts, writer):
    model = catalog.Model("scripted", "Scripted", "txt2img", backends=(Scripted(),))
    choice = request_module.Choice(model, model.backends[0], {}, count=2)
    run = Run(plan_module.plan([choice], prompts, seed=1), {"KEY": "sk-secret-123456"},
              writer)
    progress = list(run)
    return run, progress


def test_outputs_are_written_and_failures_listed_in_one_shape():
    writer = MemoryWriter(fail_on=("bad",))
    run, progress = run_prompts(["ok", "fail", "crash", "bad"], writer)
    assert writer.sample_ids == ["ok", "ok"]
    assert progress[-1].done == 2 and progress[-1].failed == 6 and progress[-1].total == 8
    failures = {f.prompt: f.to_dict() for f in run.failed}
    assert set(failures) == {"fail", "crash", "bad"}
    assert failures["fail"] == {"error": "refused, key [redacted]", "model": "scripted",
                                "backend": "scripted", "prompt": "fail", "source_id": None,
                                "source": None}
    assert failures["crash"]["error"] == "RuntimeError: unexpected reply"
    assert "could not save the output" in failures["bad"]["error"]


def test_media_work_runs_in_the_worker_that_made_the_output():
    writer = MemoryWriter()
    run_prompts(["a", "b", "c"], writer)
    assert writer.prepared_on and all(n.startswith("multigen") for n in writer.prepared_on)


def test_a_cancelled_run_starts_nothing_new():
    writer = MemoryWriter()
    model = catalog.Model("scripted", "Scripted", "txt2img", backends=(Scripted(),))
    choice = request_module.Choice(model, model.backends[0], {})
    run = Run(plan_module.plan([choice], ["a", "b"], seed=1), {}, writer)
    run.cancel()
    list(run)
    assert writer.sample_ids == [] and run.cancelled
    assert {f.error for f in run.failed} == {"cancelled before it started"}
