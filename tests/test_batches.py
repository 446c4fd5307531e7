"""Bulk generation: prompts from files and fields, delegated shards on two
workers sharing one mongod, resuming after a killed worker, cancelling."""

import os
import signal
import subprocess
import sys
import time

import pytest
from bson import ObjectId

import fiftyone as fo
import fiftyone.operators as foo
from fiftyone.operators.delegated import DelegatedOperationService

from tests.providers import provider_servers

OP = "@multigen/generate/txt2img"
FIFTYONE = os.path.join(os.path.dirname(sys.executable), "fiftyone")


@pytest.fixture
def servers(monkeypatch):
    with provider_servers(monkeypatch) as servers:
        yield servers


@pytest.fixture
def persistent(dataset):
    dataset.persistent = True
    return dataset


class Workers:
    """`fiftyone delegated launch` processes, each in its own process group
    so a test can kill one with everything it started."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.procs = []

    def start(self, count=1):
        for _ in range(count):
            log = open(self.log_dir / f"worker-{len(self.procs)}.log", "w")
            self.procs.append(subprocess.Popen(
                [FIFTYONE, "delegated", "launch"], env=os.environ.copy(),
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        return self.procs[-count:]

    def kill(self, proc, sig=signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        proc.wait(10)

    def logs(self):
        return "\n".join(p.read_text()[-1500:] for p in self.log_dir.glob("*.log"))

    def said(self, text):
        """Whether any worker's log holds ``text``."""
        return any(text in p.read_text() for p in self.log_dir.glob("*.log"))

    def stop_all(self):
        for proc in self.procs:
            self.kill(proc, signal.SIGTERM)


@pytest.fixture
def workers(tmp_path):
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()


def size(dataset):
    dataset.reload()
    return len(dataset)


def wait_for(predicate, timeout=120, details=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out; {details()}")


def run_queued_shards(result, workers, count=2):
    """Starts a worker per queued shard and waits until every shard has
    completed; returns the shards' ids and the service that knows them."""
    queued = [ObjectId(i) for i in result.result["queued"]]
    assert len(queued) == count
    workers.start(count)
    service = DelegatedOperationService()
    wait_for(lambda: all(service.get(i).run_state == "completed" for i in queued),
             timeout=180, details=workers.logs)
    return queued, service


def test_prompts_from_a_text_file_a_csv_file_and_a_field(servers, dataset, tmp_path):
    op = foo.get_operator(OP)
    txt = tmp_path / "prompts.txt"
    txt.write_text("a red fox\n\na blue whale\n")
    csv = tmp_path / "prompts.csv"
    csv.write_text('id,prompt\n1,"a castle, at dusk"\n2,a lighthouse\n')
    res = op(dataset, prompts_file=str(txt), model="flux-schnell", backend="replicate")
    res2 = op(dataset, prompts_file=str(csv), model="flux-schnell", backend="replicate")
    assert res.result["failed"] == [] == res2.result["failed"]
    assert sorted(dataset.values("generation.prompt")) == [
        "a blue whale", "a castle, at dusk", "a lighthouse", "a red fox"]

    captions = fo.Dataset()
    captions.add_samples([fo.Sample(filepath=f"/tmp/c{i}.png", caption=c)
                          for i, c in enumerate(["a tabby cat", "a green parrot"])])
    try:
        res3 = op(captions, prompt_field="caption", model="flux-schnell",
                  backend="replicate", num_images=2)
        assert len(res3.result["sample_ids"]) == 4
        made = captions.match_tags("generated")
        assert sorted(set(made.values("generation.prompt"))) == ["a green parrot",
                                                               "a tabby cat"]
    finally:
        captions.delete()

    with pytest.raises(ValueError, match="no prompts file"):
        op(dataset, prompts_file=str(tmp_path / "missing.txt"), model="flux-schnell")


def test_hosted_requests_run_concurrently(servers, dataset):
    # the server answers none of the 16 until all 16 are in flight at once:
    # one at a time, the first would wait out the rendezvous and fail
    servers["replicate"].rendezvous(16)
    op = foo.get_operator(OP)
    res = op(dataset, prompt=[f"prompt {i}" for i in range(16)], model="flux-schnell",
             backend="replicate")
    assert servers["replicate"].errors == []
    assert res.result["failed"] == [] and len(dataset) == 16


def test_shards_on_two_workers_generate_every_item_exactly_once(servers, persistent,
                                                                 workers):
    servers["replicate"].latency = 0.2
    op = foo.get_operator(OP)
    prompts = [f"a lighthouse, variant {i}" for i in range(12)]
    res = op(persistent, prompt=prompts, model="flux-schnell", backend="replicate",
             num_images=2, shards=2, delegate=True)
    queued, service = run_queued_shards(res, workers)
    persistent.reload()
    keys = persistent.values("generation.item_key")
    assert len(keys) == 24 == len(set(keys)), "every item exactly once"
    ids = [sid for i in queued for sid in service.get(i).result.result["sample_ids"]]
    assert sorted(ids) == sorted(persistent.values("id"))
    # the shards share one seed (one Replicate prediction makes both images
    # of a prompt), so together they are one run
    assert len(set(persistent.values("generation.seed"))) == 1
    assert sorted(p for p in persistent.values("generation.prompt")) == sorted(prompts * 2)


def test_a_killed_worker_run_resumes_without_duplicates(servers, persistent, workers):
    servers["replicate"].latency = 1.5
    op = foo.get_operator(OP)
    prompts = [f"a castle, take {i}" for i in range(48)]
    kwargs = dict(prompt=prompts, model="flux-schnell", backend="replicate", seed=99)
    op(persistent, delegate=True, **kwargs)
    (worker,) = workers.start(1)
    wait_for(lambda: 0 < size(persistent) < 48,
             timeout=120, details=workers.logs)
    workers.kill(worker)  # SIGKILL, mid-run
    persistent.reload()
    before = len(persistent)
    assert 0 < before < 48
    assert all(os.path.isfile(p) for p in persistent.values("filepath"))

    servers["replicate"].latency = 0.0
    res = op(persistent, **kwargs)  # the same run again
    assert res.result["skipped"] == before
    assert len(res.result["sample_ids"]) == 48 - before
    keys = persistent.values("generation.item_key")
    assert len(keys) == 48 == len(set(keys))
    assert sorted(persistent.values("generation.prompt")) == sorted(prompts)


def test_a_cancelled_delegated_run_keeps_what_finished(servers, persistent, workers):
    servers["replicate"].latency = 1.5
    op = foo.get_operator(OP)
    res = op(persistent, prompt=[f"a bridge {i}" for i in range(160)],
             model="flux-schnell", backend="replicate", seed=1, delegate=True)
    op_id = str(res.result["id"])  # the CLI takes the id as text
    workers.start(1)
    wait_for(lambda: size(persistent) > 0, timeout=120,
             details=workers.logs)
    subprocess.run([FIFTYONE, "delegated", "fail", op_id], env=os.environ.copy(),
                   check=True, capture_output=True, timeout=120)
    served = servers["replicate"].generation_count
    # the run notices, starts nothing new and returns what it finished; the
    # launcher then finds the operation failed rather than running
    wait_for(lambda: workers.said("state changed externally"), timeout=120,
             details=workers.logs)
    persistent.reload()
    assert servers["replicate"].generation_count - served <= 16  # in flight at most
    assert 0 < len(persistent) < 160
    assert all(os.path.isfile(p) for p in persistent.values("filepath"))
    partial = [f for f in os.listdir(os.path.dirname(persistent.first().filepath))
               if f.startswith(".partial-")]
    assert partial == []


def test_cancelling_a_delegated_run_cancels_its_running_predictions(servers, persistent,
                                                                    workers):
    replicate = servers["replicate"]
    replicate.latency = 600  # predictions that would run on (and be billed)
    op = foo.get_operator(OP)
    res = op(persistent, prompt=[f"a tower {i}" for i in range(8)], model="flux-schnell",
             backend="replicate", seed=1, delegate=True)
    workers.start(1)
    wait_for(lambda: replicate.generation_count == 8, timeout=120, details=workers.logs)
    subprocess.run([FIFTYONE, "delegated", "fail", str(res.result["id"])],
                   env=os.environ.copy(), check=True, capture_output=True, timeout=120)
    wait_for(lambda: workers.said("state changed externally"), timeout=120,
             details=workers.logs)
    statuses = [p.status(time.time()) for p in replicate.predictions.values()]
    assert statuses == ["canceled"] * 8
    persistent.reload()
    assert len(persistent) == 0
