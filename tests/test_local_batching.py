"""The local backend on tiny pipelines loaded from the hub cache: prompts
packed into one call without changing anyone's image, batches halved on
out-of-memory, several models within a memory budget loading once each,
and the fast path."""

import numpy as np
import pytest

import fiftyone as fo
import fiftyone.operators as foo

from tests.conftest import HUB_CACHE, plugin_module
from tests.test_txt2img_local import assert_same_image, pixels
from tests.tiny.fixtures import one_torch_thread  # noqa: F401  (autouse)

OP = "@multigen/generate/txt2img"
TINY = dict(backend="diffusers", width=64, height=64, num_inference_steps=2)
THREE = ["sdxl", "sdxl-turbo", "ssd-1b"]  # tiny ones of about the same size


@pytest.fixture(scope="module", autouse=True)
def tiny_models():
    from tests.tiny.text_to_image import install_text_to_image

    install_text_to_image(HUB_CACHE, [
        "stable-diffusion-v1-5/stable-diffusion-v1-5",
        "stabilityai/stable-diffusion-xl-base-1.0", "stabilityai/sdxl-turbo",
        "segmind/SSD-1B"])


def unload(module):
    """Nothing loaded, nothing counted: as a fresh process."""
    module.RESIDENCY.clear()
    for counter in (module.RESIDENCY.loads, module.RESIDENCY.evictions,
                    module.RESIDENCY.restores, module.RESIDENCY.drops):
        counter.clear()


@pytest.fixture
def local(monkeypatch):
    """The local backend module, with nothing loaded and no budget set."""
    module = plugin_module("core.backends.diffusers_local")
    for name in ("MULTIGEN_DEVICE_MEMORY_GIB", "MULTIGEN_HOST_MEMORY_GIB"):
        monkeypatch.delenv(name, raising=False)
    unload(module)
    yield module
    unload(module)


@pytest.fixture
def calls(monkeypatch):
    """The size of every pipeline call text-to-image models make."""
    image_local = plugin_module("text_to_image.local")
    sizes = []
    real = image_local.DiffusersImage.call

    def call(self, pipe, rows, generators, entry):
        sizes.append(len(rows))
        return real(self, pipe, rows, generators, entry)

    monkeypatch.setattr(image_local.DiffusersImage, "call", call)
    return sizes


def by_prompt_and_seed(dataset, ids):
    return {(s.generation.prompt, s.generation.seed): pixels(s)
            for s in (dataset[i] for i in ids)}


def test_prompts_share_one_call_and_each_image_stays_its_own(dataset, local, calls):
    op = foo.get_operator(OP)
    res = op(dataset, prompt=["a red cube", "a blue ball", "a green cone"], model="sd15",
             seed=5, num_images=2, **TINY).result
    assert res["failed"] == [] and len(res["sample_ids"]) == 6
    assert calls == [6]  # 3 prompts x 2 images, one pipeline call
    packed = by_prompt_and_seed(dataset, res["sample_ids"])
    assert set(packed) == {(p, s) for p in ("a red cube", "a blue ball", "a green cone")
                           for s in (5, 6)}
    # the same prompt and seed alone: the same image within the README's
    # tolerance, whatever it was batched with
    alone = fo.Dataset()
    try:
        single = op(alone, prompt="a blue ball", model="sd15", seed=6, **TINY).result
        assert calls == [6, 1]
        assert_same_image(packed["a blue ball", 6], pixels(alone[single["sample_ids"][0]]))
    finally:
        alone.delete()
    assert np.abs(packed["a blue ball", 6].astype(int) - packed["a red cube", 6]).mean() > 1


def test_out_of_memory_halves_the_batch_then_names_what_helps(dataset, local, calls,
                                                               monkeypatch):
    import torch

    image_local = plugin_module("text_to_image.local")
    counted = image_local.DiffusersImage.call
    limit = {"rows": 2}

    def tight(self, pipe, rows, generators, entry):
        if len(rows) > limit["rows"]:
            counted(self, pipe, rows, generators, entry)  # recorded, then fails
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB")
        return counted(self, pipe, rows, generators, entry)

    monkeypatch.setattr(image_local.DiffusersImage, "call", tight)
    op = foo.get_operator(OP)
    res = op(dataset, prompt=["a", "b", "c"], model="sd15", seed=1, num_images=2,
             **TINY).result
    assert res["failed"] == [] and len(res["sample_ids"]) == 6
    # 6 fails, 3 fails, then one at a time (halved twice, never grown back)
    assert calls == [6, 3, 1, 1, 1, 1, 1, 1]
    limit["rows"] = 0
    failed = op(dataset, prompt="d", model="sd15", seed=1, **TINY).result["failed"]
    error = failed[0]["error"]
    assert "64x64" in error and "width and height" in error
    assert "steps does not change" in error


def test_three_models_with_room_for_one_load_once_each(dataset, local, monkeypatch):
    op = foo.get_operator(OP)
    kwargs = dict(prompt=["a cat", "a dog"], model=THREE, seed=3, **TINY)
    assert op(dataset, **kwargs).result["failed"] == []
    weights = {key[1]: entry.weights for key, entry in local.RESIDENCY.entries.items()}
    catalog = plugin_module("core.catalog")
    working = max(catalog.get(m).backend("diffusers").working_bytes(TINY) for m in THREE)
    # room on the "device" for the largest model and its working memory, never two
    budget = max(weights.values()) + working + min(weights.values()) // 2
    assert budget < sorted(weights.values())[0] + sorted(weights.values())[1] + working
    monkeypatch.setenv("MULTIGEN_DEVICE_MEMORY_GIB", str(budget / 2**30))

    # no host memory to park them in: each model loads once, the first two are
    # dropped when the next one loads
    unload(local)
    monkeypatch.setenv("MULTIGEN_HOST_MEMORY_GIB", "0")
    res = op(fo.Dataset(), **kwargs).result
    assert res["failed"] == [] and len(res["sample_ids"]) == 6
    assert sorted(local.RESIDENCY.loads.values()) == [1, 1, 1]
    assert sum(local.RESIDENCY.drops.values()) == 2 and not local.RESIDENCY.evictions
    assert len(local.RESIDENCY.entries) == 1

    # host memory for all: evicted to it, and a second run brings them back
    # without loading anything again
    unload(local)
    monkeypatch.delenv("MULTIGEN_HOST_MEMORY_GIB")
    op(fo.Dataset(), **kwargs)
    assert sum(local.RESIDENCY.evictions.values()) == 2
    op(fo.Dataset(), **{**kwargs, "seed": 4})
    assert sorted(local.RESIDENCY.loads.values()) == [1, 1, 1]
    assert sum(local.RESIDENCY.restores.values()) == 3
    assert local.RESIDENCY.device_used() <= budget
    sample = dataset.first()
    assert sample.generation.memory["placement"] == "full"


def test_the_fast_path_is_recorded_and_stays_close(dataset, local):
    op = foo.get_operator(OP)
    safe = op(dataset, prompt="a lighthouse", model="sd15", seed=9, **TINY).result
    other = fo.Dataset()
    try:
        fast = op(other, prompt="a lighthouse", model="sd15", seed=9, speed="fast",
                  **TINY).result
        sample = other[fast["sample_ids"][0]]
        record = sample.generation.speed
        assert record["mode"] == "fast" and sample.generation.params["speed"] == "fast"
        assert {"channels_last:unet", "fused_qkv:unet"} <= set(record["applied"])
        assert not any(a.startswith("compile") for a in record["applied"])  # CUDA only
        assert_same_image(pixels(dataset[safe["sample_ids"][0]]), pixels(sample))
    finally:
        other.delete()
    assert dataset.first().generation.speed == {"mode": "safe"}


def test_only_a_missing_variant_is_retried_with_full_weights(local, monkeypatch):
    import diffusers
    import torch

    backend = plugin_module("core.catalog").get("sd15").backend("diffusers")
    GenerationError = plugin_module("core.backends.base").GenerationError
    tries = []

    class LocalEntryNotFoundError(OSError):
        pass

    def offline(repo, **kwargs):
        tries.append(kwargs.get("variant"))
        raise LocalEntryNotFoundError("cannot find the requested files in the local cache")

    monkeypatch.setattr(diffusers.StableDiffusionPipeline, "from_pretrained", offline)
    with pytest.raises(GenerationError, match="not in the local Hugging Face cache"):
        backend.from_pretrained("StableDiffusionPipeline", backend.repo, torch.float16, None)
    assert tries == ["fp16"]  # not a second time with the full weights

    def no_variant(repo, **kwargs):
        tries.append(kwargs.get("variant"))
        if kwargs.get("variant"):
            raise ValueError("You are trying to load model files of the `variant=fp16`, "
                             "but no such modeling files are available.")
        return "loaded"

    tries.clear()
    monkeypatch.setattr(diffusers.StableDiffusionPipeline, "from_pretrained", no_variant)
    assert backend.from_pretrained("StableDiffusionPipeline", backend.repo, torch.float16,
                                   None) == "loaded"
    assert tries == ["fp16", None]


def test_a_packed_call_shares_its_time_among_its_outputs(dataset, local):
    op = foo.get_operator(OP)
    res = op(dataset, prompt=["a", "b", "c"], model="sd15", seed=2, **TINY).result
    latencies = [dataset[i].generation.latency_s for i in res["sample_ids"]]
    # one call of three: each output carries a third of it, none the whole
    assert len(set(latencies)) == 1 and latencies[0] > 0
