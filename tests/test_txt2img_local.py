"""txt2img on the local diffusers backend: tiny random-weight pipelines under
the real repo ids in a temporary hub cache, loaded offline through the same
``from_pretrained`` path users run."""

import os

import numpy as np
import pytest
from PIL import Image

import fiftyone as fo
import fiftyone.operators as foo

from tests.conftest import HUB_CACHE, plugin_module
from tests.tiny.fixtures import one_torch_thread  # noqa: F401  (autouse)

OP = "@multigen/generate/txt2img"


@pytest.fixture(scope="module", autouse=True)
def tiny_models():
    from tests.tiny.text_to_image import install_text_to_image

    install_text_to_image(HUB_CACHE)


def local_models():
    catalog = plugin_module("core.catalog")
    return [m.id for m in catalog.models("txt2img", include_retired=False)
            if "diffusers" in m.backend_kinds]


def tiny_options(model, width=64, height=64):
    """Small sizes and 2 steps where the model has those options."""
    names = {p.name for p in model.params_for("diffusers")}
    options = {}
    if "width" in names:
        # Kandinsky's decoder works in multiples of 64
        options.update(width=128 if model.id == "kandinsky-2.2" else width, height=height)
    if "num_inference_steps" in names:
        options["num_inference_steps"] = 2
    if "prior_num_inference_steps" in names:
        options["prior_num_inference_steps"] = 2
    return options


def pixels(sample):
    with Image.open(sample.filepath) as image:
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize("model_id", local_models())
def test_every_local_model_runs_tiny(dataset, model_id):
    model = plugin_module("core.catalog").get(model_id)
    options = tiny_options(model)
    op = foo.get_operator(OP)
    res = op(dataset, prompt="a corgi driving a car", model=model_id,
             backend="diffusers", seed=51, num_images=2,
             negative_prompt="blurry" if model.params_for("diffusers") and any(
                 p.name == "negative_prompt" for p in model.all_params) else None,
             **options)
    assert res.result["failed"] == []
    assert len(dataset) == 2
    backend = model.backend("diffusers")
    for sample in dataset:
        assert os.path.isfile(sample.filepath)
        with Image.open(sample.filepath) as image:
            assert image.size == (options.get("width", 64), options.get("height", 64))
        gen = sample.generation
        assert gen.backend == "diffusers" and gen.model == model_id
        assert gen.provider_ref == backend.ref
        assert gen.params.get("width") == options.get("width")
        assert gen.cost is None  # a local run carries no cost (README: Cost)
    assert sorted(dataset.values("generation.seed")) == [51, 52]
    assert res.result["cost_usd"] == 0


# The README's promise about seeds: across batch sizes (or processors) the
# same seed gives the same image within these (of 255); bench/seed_drift.py
# measures max 1, mean 0.000 over every tiny local model and kernel path
SAME_SEED_MAX_DIFF, SAME_SEED_MEAN_DIFF = 8, 1.0


def assert_same_image(a, b):
    diff = np.abs(a.astype(int) - b.astype(int))
    assert diff.max() <= SAME_SEED_MAX_DIFF and diff.mean() < SAME_SEED_MEAN_DIFF, (
        diff.max(), diff.mean())


def assert_other_image(a, b):
    # another seed is another image: far beyond the same-seed tolerance
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 10 * SAME_SEED_MEAN_DIFF


def test_same_seed_same_image_and_batches_reproduce_single_runs(dataset):
    op = foo.get_operator(OP)
    opts = dict(model="sdxl", backend="diffusers", width=64, height=64,
                num_inference_steps=2)
    batch = op(dataset, prompt="a lighthouse", seed=7, num_images=2, **opts).result
    again = op(dataset, prompt="a lighthouse", seed=8, num_images=1, **opts).result
    elsewhere = fo.Dataset()  # the same run again (here it would be skipped as done)
    repeat = op(elsewhere, prompt="a lighthouse", seed=8, num_images=1, **opts).result
    other = op(dataset, prompt="a lighthouse", seed=9, num_images=1, **opts).result
    by_id = {s.id: s for s in dataset}
    batch_by_seed = {by_id[i].generation.seed: pixels(by_id[i]) for i in batch["sample_ids"]}
    single = pixels(by_id[again["sample_ids"][0]])
    # same seed, options and batch size on the same machine: bit for bit
    assert np.array_equal(single, pixels(elsewhere[repeat["sample_ids"][0]]))
    elsewhere.delete()
    # image 2 of a seed-7 batch is the image of a seed-8 single run, within
    # the tolerance (kernels may take another path for another batch size)
    assert_same_image(batch_by_seed[8], single)
    assert_other_image(batch_by_seed[7], single)
    assert_other_image(pixels(by_id[other["sample_ids"][0]]), single)


def test_second_run_reuses_the_loaded_pipeline(dataset):
    local = plugin_module("core.backends.diffusers_local")
    op = foo.get_operator(OP)
    kwargs = dict(prompt="a cat", model="sd15", backend="diffusers", width=64,
                  height=64, num_inference_steps=1)
    def loads():
        return sum(len(v) for k, v in local.LOAD_SECONDS.items() if k[1].endswith("v1-5"))

    before = loads()
    op(dataset, **kwargs)
    first = loads()
    assert first - before <= 1  # loaded now, or by an earlier test
    op(dataset, **kwargs)
    assert loads() == first


def test_a_model_missing_from_the_cache_says_how_to_get_it(dataset, monkeypatch):
    catalog = plugin_module("core.catalog")
    op = foo.get_operator(OP)
    # FLUX.1-dev is installed; pretend a user who never downloaded SD 3.5 Large
    monkeypatch.setenv("HF_TOKEN", "hf_testtoken0123456789")
    assert "diffusers" in catalog.get("sd3.5-large").backend_kinds
    import shutil

    # a fresh process: nothing loaded yet
    local = plugin_module("core.backends.diffusers_local")
    for key in [k for k in local.RESIDENCY.entries if k[1].endswith("3.5-large")]:
        local.RESIDENCY.drop(key)
    folder = os.path.join(HUB_CACHE, "models--stabilityai--stable-diffusion-3.5-large")
    moved = folder + ".away"
    shutil.move(folder, moved)
    try:
        res = op(dataset, prompt="a cat", model="sd3.5-large", backend="diffusers",
                 width=64, height=64, num_inference_steps=1)
    finally:
        shutil.move(moved, folder)
    error = res.result["failed"][0]["error"]
    assert "stabilityai/stable-diffusion-3.5-large" in error
    assert "hub" in error.lower()
    assert "hf_testtoken" not in error
    assert len(dataset) == 0
