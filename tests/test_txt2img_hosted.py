"""txt2img through every hosted backend of every catalog model, with the
providers' real clients talking to local servers that speak their protocols."""

import json
import os

import pytest
from PIL import Image

import fiftyone.operators as foo

from tests.conftest import plugin_module
from tests.providers import KEYS, provider_servers, register_versions

OP = "@multigen/generate/txt2img"


@pytest.fixture
def servers(monkeypatch):
    catalog = plugin_module("core.catalog")
    with provider_servers(monkeypatch) as servers:
        register_versions(servers["replicate"], catalog.models("txt2img"))
        yield servers


def hosted_cases():
    catalog = plugin_module("core.catalog")
    return [
        (model.id, backend.kind)
        for model in catalog.models("txt2img", include_retired=False)
        for backend in model.backends
        if backend.kind != "diffusers"
    ]


def assert_no_keys(dataset):
    dump = json.dumps(dataset.to_dict(), default=str)
    for value in KEYS.values():
        assert value not in dump


@pytest.mark.parametrize("model_id,backend", hosted_cases())
def test_every_hosted_model_generates_samples(servers, dataset, model_id, backend):
    op = foo.get_operator(OP)
    model = plugin_module("core.catalog").get(model_id)
    seeded = model.seeded
    res = op(dataset, prompt="a corgi driving a car", model=model_id, backend=backend,
             seed=51 if seeded else None, num_images=2)

    assert res.result["failed"] == []
    ids = res.result["sample_ids"]
    assert len(ids) == 2 and res.result["dataset"] == dataset.name
    assert len(dataset) == 2
    server = servers[backend]
    assert not server.errors
    for sample in dataset.select(ids):
        assert os.path.isfile(sample.filepath)
        with Image.open(sample.filepath) as image:
            image.load()
            assert (image.width, image.height) == (sample.metadata.width,
                                                   sample.metadata.height)
        assert set(sample.tags) == {"generated", model_id}
        gen = sample.generation
        assert gen.model == model_id and gen.backend == backend
        assert gen.prompt == "a corgi driving a car"
        if backend != "stability":  # Stability sends no request id on success
            assert gen.request_id, "the provider's request or prediction id is recorded"
        assert gen.provider_ref
        assert gen.latency_s >= 0 and gen.created_at is not None
        if seeded:
            assert gen.seed in (51, 52)
        # every option of the model is recorded with its value
        declared = {p.name for p in model.params_for(backend)} - {"seed", "num_images",
                                                                 "negative_prompt"}
        assert declared <= set(gen.params)
    assert_no_keys(dataset)
    # the key went to the server, in the provider's auth header
    auth = [r.headers.get("authorization", "") for r in server.requests]
    key_name = {"replicate": "REPLICATE_API_TOKEN", "openai": "OPENAI_API_KEY",
                "stability": "STABILITY_API_KEY"}[backend]
    assert f"Bearer {KEYS[key_name]}" in auth


def test_options_reach_the_provider_under_its_own_names(servers, dataset):
    op = foo.get_operator(OP)
    res = op(dataset, prompt="a lighthouse", model="flux-dev", backend="replicate",
             seed=7, num_images=3, guidance_scale=4.5, aspect_ratio="16:9",
             output_format="png")
    assert res.result["failed"] == []
    body = [r.json for r in servers["replicate"].requests if r.method == "POST"][0]
    inputs = body["input"]
    assert inputs["guidance"] == 4.5 and "guidance_scale" not in inputs
    assert inputs["num_outputs"] == 3 and inputs["seed"] == 7
    assert inputs["aspect_ratio"] == "16:9"
    ratios = [s.metadata.width / s.metadata.height for s in dataset]
    assert ratios == [pytest.approx(16 / 9, rel=0.05)] * 3


def test_stability_gets_multipart_and_one_request_per_image(servers, dataset):
    op = foo.get_operator(OP)
    res = op(dataset, prompt="a fox", model="sd3.5-large", backend="stability",
             seed=100, num_images=2, cfg_scale=5.0, aspect_ratio="3:2",
             negative_prompt="blurry")
    assert res.result["failed"] == []
    posts = [r for r in servers["stability"].requests if r.method == "POST"]
    assert len(posts) == 2
    assert {p.form["seed"] for p in posts} == {"100", "101"}
    assert all(p.form["model"] == "sd3.5-large" and p.form["cfg_scale"] == "5.0"
               for p in posts)
    assert {s.generation.seed for s in dataset} == {100, 101}
    assert {s.generation.negative_prompt for s in dataset} == {"blurry"}


def test_provider_errors_are_listed_and_the_rest_is_kept(servers, dataset):
    op = foo.get_operator(OP)
    servers["stability"].fail_next("content_filtered")
    res = op(dataset, prompt=["a cat", "a dog"], model="stable-image-core",
             backend="stability", seed=3)
    failed = res.result["failed"]
    assert len(failed) == 1 and "content filter" in failed[0]["error"]
    assert len(res.result["sample_ids"]) == 1 == len(dataset)
    assert all(os.path.isfile(s.filepath) for s in dataset)


def test_replicate_failed_prediction_is_reported(servers, dataset):
    op = foo.get_operator(OP)
    servers["replicate"].fail_next("model_failed", error="CUDA out of memory")
    res = op(dataset, prompt="a cat", model="sdxl", backend="replicate", seed=1)
    assert res.result["sample_ids"] == []
    assert "CUDA out of memory" in res.result["failed"][0]["error"]
    assert len(dataset) == 0


def test_rate_limits_are_retried(servers, dataset):
    op = foo.get_operator(OP)
    servers["replicate"].fail_next("rate_limit", retry_after=0)
    servers["openai"].fail_next("rate_limit", retry_after=0)
    res = op(dataset, prompt="a cat", model=["flux-schnell", "gpt-image-2"],
             backend={"flux-schnell": "replicate"})
    assert res.result["failed"] == []
    assert len(dataset) == 2


def test_wrong_key_says_which_variable_and_never_shows_it(servers, dataset, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-key-abcdefghijklmnop")
    op = foo.get_operator(OP)
    res = op(dataset, prompt="a cat", model="gpt-image-2")
    error = res.result["failed"][0]["error"]
    assert "OPENAI_API_KEY" in error
    assert "sk-wrong-key" not in error and "mnop" not in error


def test_missing_key_is_a_clear_error_before_anything_runs(dataset, monkeypatch):
    monkeypatch.delenv("STABILITY_API_KEY", raising=False)
    op = foo.get_operator(OP)
    with pytest.raises(ValueError, match="set STABILITY_API_KEY"):
        op(dataset, prompt="a cat", model="stable-image-ultra")
    assert len(dataset) == 0


def test_retired_models_point_to_their_successor(dataset):
    op = foo.get_operator(OP)
    with pytest.raises(ValueError, match="retired.*2026-05-12.*gpt-image-2"):
        op(dataset, prompt="a cat", model="dall-e-3")
    listed = {m["id"]: m for m in op.list_models()}
    assert listed["dall-e-2"]["status"] == "retired"
    assert listed["dall-e-2"]["successor"] == "gpt-image-2"


def test_comparing_models_groups_them_side_by_side(servers, dataset):
    op = foo.get_operator(OP)
    res = op(dataset, prompt=["a corgi driving a car", "a red bicycle"],
             model=["flux-schnell", "sdxl", "stable-image-core"],
             backend={"flux-schnell": "replicate", "sdxl": "replicate"}, seed=51)
    assert res.result["failed"] == []
    assert len(dataset) == 6
    view = dataset.load_saved_view("multigen-compare")
    groups = [list(g.values("generation.model")) for g in view.iter_dynamic_groups()]
    assert len(groups) == 2
    assert all(sorted(g) == ["flux-schnell", "sdxl", "stable-image-core"] for g in groups)


def test_delegated_run_is_picked_up_by_a_launcher(servers, dataset, tmp_path):
    import subprocess
    import sys

    op = foo.get_operator(OP)
    with pytest.raises(ValueError, match="persistent"):
        op(dataset, prompt="x", model="flux-schnell", delegate=True)
    dataset.persistent = True
    res = op(dataset, prompt="a delegated corgi", model="flux-schnell",
             backend="replicate", seed=5, delegate=True)
    assert res.delegated
    assert len(dataset) == 0
    # params of the queued run hold no key
    from fiftyone.factory.repo_factory import RepositoryFactory

    doc = RepositoryFactory.delegated_operation_repo().get(res.result["id"])
    assert not any(v in json.dumps(doc.context.request_params, default=str)
                   for v in KEYS.values())
    log = open(tmp_path / "launcher.log", "w")
    launcher = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "fiftyone"), "delegated", "launch"],
        env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        import time

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            dataset.reload()
            if len(dataset) == 1:
                break
            time.sleep(0.5)
    finally:
        launcher.terminate()
        launcher.wait(10)
    assert len(dataset) == 1, (tmp_path / "launcher.log").read_text()[-3000:]
    sample = dataset.first()
    assert sample.generation.prompt == "a delegated corgi"
    assert sample.generation.seed == 5
