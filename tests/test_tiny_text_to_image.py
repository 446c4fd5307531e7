"""Tiny text-to-image pipelines in a temporary hub cache load offline under their real repo ids."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")

try:
    from tiny import hub_cache
    from tiny.fixtures import NO_NETWORK_PREAMBLE, no_network, one_torch_thread  # noqa: F401
    from tiny import text_to_image as t2i
except ImportError:  # tests/ is a package, or only the repo root is on sys.path
    from tests.tiny import hub_cache  # type: ignore
    from tests.tiny.fixtures import NO_NETWORK_PREAMBLE, no_network, one_torch_thread  # type: ignore  # noqa: F401
    from tests.tiny import text_to_image as t2i  # type: ignore

import numpy as np
import torch

TINY_PARENT = Path(hub_cache.__file__).resolve().parent.parent  # folder that holds the `tiny` package
KANDINSKY = ("kandinsky-community/kandinsky-2-2-prior", "kandinsky-community/kandinsky-2-2-decoder")
PIPELINE_REPOS = [r for r in t2i.PIPELINE_CLASSES if r not in KANDINSKY]


@pytest.fixture(scope="session")
def t2i_cache(tmp_path_factory):
    """Hub cache holding every tiny text-to-image repo (built once per session)."""
    cache = tmp_path_factory.mktemp("hf_hub_cache")
    return {"dir": cache, "snapshots": t2i.install_text_to_image(cache)}


@pytest.fixture
def offline_hub(t2i_cache, monkeypatch, no_network):
    """Point the already imported huggingface_hub at the tiny cache, offline (runtime patch)."""
    from huggingface_hub import constants

    # Whatever the environment was when huggingface_hub was imported (online, default cache),
    # patching at runtime must be enough: start from the worst case.
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(t2i_cache["dir"] / "elsewhere"))
    hub_cache.use_hub_cache(t2i_cache["dir"], monkeypatch)
    return t2i_cache["dir"]


def _pipeline_class(repo):
    import diffusers

    return getattr(diffusers, t2i.PIPELINE_CLASSES[repo])


def _gen(seed=0):
    return torch.Generator("cpu").manual_seed(seed)


def _array(image):
    return np.asarray(image).astype(np.float32)


# --------------------------------------------------------------------------- layout
def test_cache_layout_matches_huggingface_hub(t2i_cache):
    from huggingface_hub import scan_cache_dir, try_to_load_from_cache

    cache = t2i_cache["dir"]
    report = scan_cache_dir(cache)
    assert not report.warnings
    assert {r.repo_id for r in report.repos} == set(t2i.TEXT_TO_IMAGE_REPOS)
    for repo in t2i.TEXT_TO_IMAGE_REPOS:
        storage = hub_cache.repo_storage_folder(cache, repo)
        commit = (storage / "refs" / "main").read_text()
        assert re.fullmatch(r"[0-9a-f]{40}", commit)
        snapshot = storage / "snapshots" / commit
        assert snapshot == t2i_cache["snapshots"][repo]
        tree = json.loads((storage / "trees" / f"{commit}.json").read_text())["files"]
        files = sorted(p.relative_to(snapshot).as_posix() for p in snapshot.rglob("*") if p.is_file())
        assert files == sorted(tree)
        for name in files:
            link = snapshot / name
            assert link.is_symlink() and not os.path.isabs(os.readlink(link))
            assert link.resolve().parent == (storage / "blobs").resolve()
        first = "model_index.json" if repo != t2i.LIGHTNING_REPO else t2i.LIGHTNING_FILES[0]
        assert try_to_load_from_cache(repo, first, cache_dir=cache) == str(snapshot / first)


def test_model_index_mirrors_real_repos(t2i_cache):
    snapshots = t2i_cache["snapshots"]
    expected_schedulers = {
        "stable-diffusion-v1-5/stable-diffusion-v1-5": "PNDMScheduler",
        "stabilityai/stable-diffusion-xl-base-1.0": "EulerDiscreteScheduler",
        "stabilityai/sdxl-turbo": "EulerAncestralDiscreteScheduler",
        "segmind/SSD-1B": "EulerDiscreteScheduler",
        "playgroundai/playground-v2.5-1024px-aesthetic": "EDMDPMSolverMultistepScheduler",
        "SimianLuo/LCM_Dreamshaper_v7": "LCMScheduler",
        "kandinsky-community/kandinsky-2-2-prior": "UnCLIPScheduler",
        "kandinsky-community/kandinsky-2-2-decoder": "DDPMScheduler",
        "black-forest-labs/FLUX.1-schnell": "FlowMatchEulerDiscreteScheduler",
        "black-forest-labs/FLUX.1-dev": "FlowMatchEulerDiscreteScheduler",
    }
    for repo, cls in t2i.PIPELINE_CLASSES.items():
        index = json.loads((snapshots[repo] / "model_index.json").read_text())
        assert index["_class_name"] == cls
        if repo in expected_schedulers:
            assert index["scheduler"] == ["diffusers", expected_schedulers[repo]]
        if "safety_checker" in index:
            assert index["safety_checker"] == [None, None]
            assert index["requires_safety_checker"] is False
    lightning = t2i_cache["snapshots"][t2i.LIGHTNING_REPO]
    assert sorted(p.name for p in lightning.iterdir()) == sorted(t2i.LIGHTNING_FILES)


def test_builds_are_reproducible(tmp_path):
    repos = ["stabilityai/sdxl-turbo", "black-forest-labs/FLUX.1-schnell", t2i.LIGHTNING_REPO]
    trees = []
    for name in ("a", "b"):
        t2i.install_text_to_image(tmp_path / name, repos)
        trees.append(
            {
                repo: json.loads(
                    next((hub_cache.repo_storage_folder(tmp_path / name, repo) / "trees").glob("*.json")).read_text()
                )
                for repo in repos
            }
        )
    assert trees[0] == trees[1]


def test_saved_tokenizers_round_trip(offline_hub):
    from diffusers import StableDiffusion3Pipeline

    pipe = StableDiffusion3Pipeline.from_pretrained("stabilityai/stable-diffusion-3.5-medium")
    text = "A photo of 2 cats, in the rain!"
    assert pipe.tokenizer(text).input_ids == t2i.clip_tokenizer()(text).input_ids
    assert pipe.tokenizer.model_max_length == 77
    ids = pipe.tokenizer_3(text).input_ids
    assert ids == t2i.t5_tokenizer()(text).input_ids
    assert ids[-1] == 1 and 2 not in ids  # ends with </s>, no <unk>
    assert pipe.tokenizer_3.model_max_length == 512


# --------------------------------------------------------------------------- generation (runtime patch)
@pytest.mark.parametrize("repo", PIPELINE_REPOS)
def test_load_and_generate(offline_hub, repo):
    cls = _pipeline_class(repo)
    pipe = cls.from_pretrained(repo, torch_dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    assert type(pipe).__name__ == t2i.PIPELINE_CLASSES[repo]
    if hasattr(pipe, "safety_checker"):
        assert pipe.safety_checker is None

    def run(width, height, seed=0):
        return pipe(
            prompt="a red fox in the snow",
            width=width,
            height=height,
            num_inference_steps=2,
            generator=_gen(seed),
        ).images[0]

    first = run(64, 64)
    again = run(64, 64)
    other = run(64, 64, seed=1)
    assert first.size == (64, 64)
    assert np.array_equal(_array(first), _array(again))
    assert not np.array_equal(_array(first), _array(other))
    assert _array(first).std() > 1.0  # not a blank / NaN image
    assert run(64, 32).size == (64, 32)
    assert run(32, 64).size == (32, 64)


def test_kandinsky22_prior_then_decoder(offline_hub):
    from diffusers import KandinskyV22Pipeline, KandinskyV22PriorPipeline

    prior = KandinskyV22PriorPipeline.from_pretrained(KANDINSKY[0], torch_dtype=torch.float32)
    decoder = KandinskyV22Pipeline.from_pretrained(KANDINSKY[1], torch_dtype=torch.float32)
    prior.set_progress_bar_config(disable=True)
    decoder.set_progress_bar_config(disable=True)

    def run(width, height, seed=0):
        embeds = prior("a red fox in the snow", num_inference_steps=2, generator=_gen(seed))
        assert embeds.image_embeds.shape == embeds.negative_image_embeds.shape
        assert embeds.image_embeds.shape[-1] == decoder.unet.config.encoder_hid_dim
        return decoder(
            image_embeds=embeds.image_embeds,
            negative_image_embeds=embeds.negative_image_embeds,
            width=width,
            height=height,
            num_inference_steps=2,
            generator=_gen(seed),
        ).images[0]

    first = run(64, 64)
    assert first.size == (64, 64)
    assert np.array_equal(_array(first), _array(run(64, 64)))
    assert not np.array_equal(_array(first), _array(run(64, 64, seed=1)))
    assert _array(first).std() > 1.0
    # The decoder (like the real one) works in multiples of 64 px: 128x64 is exact,
    # 64x32 would be rounded up to 64x64 by downscale_height_and_width.
    assert run(128, 64).size == (128, 64)


def test_sdxl_lightning_unet_checkpoints(offline_hub):
    from diffusers import EulerDiscreteScheduler, StableDiffusionXLPipeline
    from huggingface_hub import hf_hub_download
    from safetensors.torch import load_file

    pipe = StableDiffusionXLPipeline.from_pretrained(t2i.SDXL_BASE_REPO, torch_dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    base_weights = {k: v.clone() for k, v in pipe.unet.state_dict().items()}
    pipe.scheduler = EulerDiscreteScheduler.from_config(pipe.scheduler.config, timestep_spacing="trailing")
    for filename in t2i.LIGHTNING_FILES:
        path = hf_hub_download(t2i.LIGHTNING_REPO, filename)
        assert Path(path).is_relative_to(offline_hub)
        state = load_file(path)
        assert state.keys() == base_weights.keys()
        pipe.unet.load_state_dict(state)  # strict
        assert not torch.equal(pipe.unet.state_dict()["conv_in.weight"], base_weights["conv_in.weight"])
        steps = int(re.search(r"(\d)step", filename).group(1))
        image = pipe("a red fox", num_inference_steps=steps, guidance_scale=0.0, generator=_gen()).images[0]
        assert image.size == (64, 64)


# --------------------------------------------------------------------------- env vars only, fresh process
SUBPROCESS_SCRIPT = NO_NETWORK_PREAMBLE + textwrap.dedent(
    """
    import sys

    import torch, diffusers
    from huggingface_hub import constants, hf_hub_download
    from safetensors.torch import load_file
    torch.set_num_threads(1)
    print("CACHE", constants.HF_HUB_CACHE, "OFFLINE", constants.HF_HUB_OFFLINE)
    for repo, cls in [("stabilityai/sdxl-turbo", "StableDiffusionXLPipeline"),
                      ("black-forest-labs/FLUX.1-schnell", "FluxPipeline")]:
        pipe = getattr(diffusers, cls).from_pretrained(repo, torch_dtype=torch.float32, cache_dir=None)
        pipe.set_progress_bar_config(disable=True)
        image = pipe("a cat", width=64, height=64, num_inference_steps=1,
                     generator=torch.Generator().manual_seed(0)).images[0]
        print("SIZE", repo, image.size)
        if cls == "StableDiffusionXLPipeline":
            path = hf_hub_download("ByteDance/SDXL-Lightning", "sdxl_lightning_4step_unet.safetensors")
            pipe.unet.load_state_dict(load_file(path))
            print("LIGHTNING", path)
    print("NETWORK_ATTEMPTS", len(attempts))
    """
)


def test_env_vars_before_import_suffice(t2i_cache):
    env = dict(os.environ)
    for key in ("HF_HOME", "HF_ENDPOINT", "HF_TOKEN"):
        env.pop(key, None)
    env.update(hub_cache.hub_env(t2i_cache["dir"]))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TINY_PARENT), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", SUBPROCESS_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"CACHE {os.path.abspath(t2i_cache['dir'])} OFFLINE True" in out
    assert "SIZE stabilityai/sdxl-turbo (64, 64)" in out
    assert "SIZE black-forest-labs/FLUX.1-schnell (64, 64)" in out
    assert f"LIGHTNING {os.path.abspath(t2i_cache['dir'])}" in out
    assert "NETWORK_ATTEMPTS 0" in out
