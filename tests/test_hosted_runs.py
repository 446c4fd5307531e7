"""Hosted runs that are paid for once, end in time, and are refused before
anything is sent when their input is wrong; the real clients against the
local provider servers."""

import math
import time

import pytest

import fiftyone.operators as foo

from tests.conftest import plugin_module
from tests.providers import provider_servers

OP = "@multigen/generate/txt2img"


@pytest.fixture
def servers(monkeypatch):
    with provider_servers(monkeypatch) as servers:
        yield servers


def creates(server):
    return [r for r in server.requests if r.generation]


def cancels(server):
    return [r for r in server.requests if r.path.endswith("/cancel")]


@pytest.mark.parametrize("fault", ["unavailable", "truncated"])
def test_a_failed_download_is_retried_without_a_second_prediction(servers, dataset, fault):
    replicate = servers["replicate"]
    replicate.fail_downloads(fault, count=2)
    res = foo.get_operator(OP)(dataset, prompt="a lighthouse", model="flux-schnell",
                               backend="replicate", seed=1)
    assert res.result["failed"] == [] and len(dataset) == 1
    assert len(creates(replicate)) == 1  # one prediction, one bill
    assert replicate.count("/files/") == 3  # two failed downloads, then the file


def test_a_download_that_keeps_failing_is_reported_not_paid_again(servers, dataset):
    replicate = servers["replicate"]
    replicate.fail_downloads("unavailable", count=50)
    res = foo.get_operator(OP)(dataset, prompt="a lighthouse", model="flux-schnell",
                               backend="replicate", seed=1)
    (failure,) = res.result["failed"]
    assert "succeeded but its output could not be downloaded" in failure["error"]
    assert len(creates(replicate)) == 1 and len(dataset) == 0


def test_a_provider_that_hangs_ends_as_an_item_error_within_the_timeout(servers, dataset):
    replicate = servers["replicate"]
    replicate.latency = 600  # never answers in time
    res = foo.get_operator(OP)(dataset, prompt=["a lighthouse", "a castle"],
                               model="flux-schnell", backend="replicate", timeout=2)
    assert len(res.result["failed"]) == 2 and len(dataset) == 0
    assert all("did not finish within 2 s" in f["error"] for f in res.result["failed"])
    # nobody will collect them: they are cancelled, not left running (and billed)
    assert len(cancels(replicate)) == 2
    assert {p.status(math.inf) for p in replicate.predictions.values()} == {"canceled"}


def test_openai_rate_limits_are_retried_once_per_attempt(servers, dataset):
    openai_server = servers["openai"]
    openai_server.fail_next("rate_limit", count=2)
    res = foo.get_operator(OP)(dataset, prompt="a lighthouse", model="gpt-image-2",
                               backend="openai")
    assert res.result["failed"] == [] and len(dataset) == 1
    # no retries inside the client on top of the run's: 2 refused + 1 served
    assert len(creates(openai_server)) == 3


@pytest.mark.parametrize("kwargs, message", [
    (dict(prompt_field="caption"), "no field 'caption'"),
    (dict(prompt=["a cat\nand a dog"]), "line break"),
    (dict(prompt="a cat", guidance_scale=math.nan), "guidance_scale must be a number"),
    (dict(prompt="a cat", output_dir="relative/folder"), "absolute path"),
    (dict(prompt="a cat", timeout=0), "timeout must be between 1 and 3600"),
])
def test_bad_input_is_refused_before_anything_is_sent(servers, dataset, kwargs, message):
    with pytest.raises(ValueError, match=message):
        foo.get_operator(OP)(dataset, model="flux-dev", backend="replicate", **kwargs)
    assert creates(servers["replicate"]) == []


def test_an_output_folder_that_cannot_be_written_costs_nothing(servers, dataset, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ValueError, match="inside a file"):
        foo.get_operator(OP)(dataset, prompt="a cat", model="flux-schnell",
                             backend="replicate", output_dir=str(blocker / "out"))
    assert creates(servers["replicate"]) == []


def test_paths_are_confined_to_the_allowed_folders(servers, dataset, tmp_path, monkeypatch):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    monkeypatch.setenv("MULTIGEN_ALLOWED_DIRS", str(allowed))
    op = foo.get_operator(OP)
    with pytest.raises(ValueError, match="must be inside"):
        op(dataset, prompts_file="/etc/hostname", model="flux-schnell", backend="replicate")
    with pytest.raises(ValueError, match="must be inside"):
        op(dataset, prompt="a cat", model="flux-schnell", backend="replicate",
           output_dir=str(tmp_path / "elsewhere"))
    res = op(dataset, prompt="a cat", model="flux-schnell", backend="replicate",
             output_dir=str(allowed / "out"))
    assert res.result["failed"] == [] and dataset.first().filepath.startswith(str(allowed))


def test_openai_states_its_limit_and_the_run_paces_to_it(servers):
    """OpenAI reports its limit on every answer (x-ratelimit-*): the run
    learns the rate, and when none is left it starts nothing until the
    window resets."""
    catalog = plugin_module("core.catalog")
    base = plugin_module("core.backends.base")
    openai_server = servers["openai"]
    openai_server.rate_limit = (1, 60.0)
    model = catalog.get("gpt-image-2")
    pacer = plugin_module("core.pacing").Pacer()
    job = base.Job(model=model, prompt="a cat", options={"size": "1024x1024"},
                   pace=pacer.observe)
    model.backend("openai").generate(job, plugin_module("core.secrets").resolve_secrets())
    assert (pacer.rate.requests, pacer.rate.seconds) == (1, 60)  # learnt from the answer
    assert 50 < pacer._next_start - time.monotonic() <= 60  # and held until the reset


def test_openai_reset_durations_read_as_seconds():
    openai_api = plugin_module("core.backends.openai_api")
    assert openai_api.duration_s("12ms") == 0.012
    assert openai_api.duration_s("1m30.5s") == 90.5
    assert openai_api.duration_s("6m0s") == 360
    assert openai_api.duration_s(None) is None
