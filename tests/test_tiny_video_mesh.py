"""Tiny image-to-video and Shap-E (3D) pipelines load offline under their real repo ids and run fast."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")

try:
    from tiny import hub_cache
    from tiny.fixtures import NO_NETWORK_PREAMBLE, no_network, one_torch_thread  # noqa: F401
    from tiny import mesh as M
    from tiny import video as V
except ImportError:  # tests/ is a package, or only the repo root is on sys.path
    from tests.tiny import hub_cache  # type: ignore
    from tests.tiny.fixtures import NO_NETWORK_PREAMBLE, no_network, one_torch_thread  # type: ignore  # noqa: F401
    from tests.tiny import mesh as M  # type: ignore
    from tests.tiny import video as V  # type: ignore

import numpy as np
import torch

TINY_PARENT = Path(hub_cache.__file__).resolve().parent.parent
MAX_MESH_VERTICES = 50_000

EXPECTED_INDEX = {
    V.SVD: ("StableVideoDiffusionPipeline", "EulerDiscreteScheduler"),
    V.SVD_XT: ("StableVideoDiffusionPipeline", "EulerDiscreteScheduler"),
    V.LTX: ("LTXPipeline", "FlowMatchEulerDiscreteScheduler"),  # as the real repo
    V.WAN21_I2V: ("WanImageToVideoPipeline", "UniPCMultistepScheduler"),
    V.WAN22_I2V: ("WanImageToVideoPipeline", "UniPCMultistepScheduler"),
    V.WAN21_T2V: ("WanPipeline", "UniPCMultistepScheduler"),
    M.SHAP_E: ("ShapEPipeline", "HeunDiscreteScheduler"),
    M.SHAP_E_IMG2IMG: ("ShapEImg2ImgPipeline", "HeunDiscreteScheduler"),
}
SHAP_E_CLASSES = {M.SHAP_E: "ShapEPipeline", M.SHAP_E_IMG2IMG: "ShapEImg2ImgPipeline"}


@pytest.fixture(scope="module")
def tiny_cache(tmp_path_factory):
    """Hub cache with every tiny video and 3D repo."""
    cache = tmp_path_factory.mktemp("hf_hub_cache_video_mesh")
    snapshots = {**V.install_video(cache, V.VIDEO_REPOS), **M.install_mesh(cache, M.MESH_REPOS)}
    return {"dir": cache, "snapshots": snapshots}


@pytest.fixture
def offline_hub(tiny_cache, monkeypatch, no_network):
    hub_cache.use_hub_cache(tiny_cache["dir"], monkeypatch)
    return tiny_cache["dir"]


def _load(repo, cls_name):
    import diffusers

    pipe = getattr(diffusers, cls_name).from_pretrained(repo, torch_dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    assert type(pipe).__name__ == cls_name
    return pipe


def _gen(seed=0):
    return torch.Generator("cpu").manual_seed(seed)


def _image(w=80, h=96):
    from PIL import Image

    rng = np.random.RandomState(0)
    arr = (rng.rand(h, w, 3) * 255).astype("uint8")
    arr[: h // 2, :, 0] = 230  # some structure
    return Image.fromarray(arr)


# --------------------------------------------------------------------------- layout
def test_model_index_mirrors_real_repos(tiny_cache):
    for repo, (cls, scheduler) in EXPECTED_INDEX.items():
        snapshot = Path(tiny_cache["snapshots"][repo])
        index = json.loads((snapshot / "model_index.json").read_text())
        assert index["_class_name"] == cls, repo
        assert index["scheduler"] == ["diffusers", scheduler], repo
    wan22 = json.loads((Path(tiny_cache["snapshots"][V.WAN22_I2V]) / "model_index.json").read_text())
    assert wan22["boundary_ratio"] == 0.9
    assert wan22["image_encoder"] == [None, None] and wan22["transformer_2"][1] == "WanTransformer3DModel"
    for repo in M.MESH_REPOS:  # the marching-cubes table is in the saved weights
        from safetensors.torch import load_file

        state = load_file(Path(tiny_cache["snapshots"][repo]) / "shap_e_renderer" / "diffusion_pytorch_model.safetensors")
        assert state["mesh_decoder.masks"].any() and state["mesh_decoder.cases"].any()


def test_builds_are_reproducible(tmp_path):
    repos = [V.SVD, V.WAN22_I2V, M.SHAP_E]
    trees = []
    for name in ("a", "b"):
        V.install_video(tmp_path / name, repos[:2])
        M.install_mesh(tmp_path / name, repos[2:])
        trees.append(
            {
                repo: json.loads(
                    next((hub_cache.repo_storage_folder(tmp_path / name, repo) / "trees").glob("*.json")).read_text()
                )
                for repo in repos
            }
        )
    assert trees[0] == trees[1]


# --------------------------------------------------------------------------- video
@pytest.mark.parametrize("repo", V.VIDEO_REPOS)
def test_video_load_and_generate(offline_hub, repo, record_property):
    start = time.perf_counter()
    pipe = _load(repo, V.PIPELINE_CLASSES[repo])
    record_property("load_s", round(time.perf_counter() - start, 2))
    kwargs = dict(V.FAST_KWARGS[repo])
    if repo not in (V.SVD, V.SVD_XT):
        kwargs["prompt"] = "a cat walking on the beach"

    if repo != V.WAN21_T2V:  # text to video takes no image
        kwargs["image"] = _image()

    def run(seed=0, **extra):
        return pipe(generator=_gen(seed), **{**kwargs, **extra}).frames

    start = time.perf_counter()
    frames = run(output_type="np")
    elapsed = time.perf_counter() - start
    record_property("run_s", round(elapsed, 2))
    n, h, w = kwargs["num_frames"], kwargs["height"], kwargs["width"]
    assert frames.shape == (1, n, h, w, 3)
    assert np.isfinite(frames).all() and frames.min() >= 0 and frames.max() <= 1
    assert frames.std() > 0.01  # not blank
    assert np.array_equal(frames, run(output_type="np"))  # same seed, same video
    assert not np.array_equal(frames, run(seed=1, output_type="np"))
    pil = run(output_type="pil")
    assert len(pil) == 1 and len(pil[0]) == n and all(im.size == (w, h) for im in pil[0])
    # non-square
    assert run(output_type="np", height=64, width=96).shape == (1, n, 64, 96, 3)


def test_video_frame_and_size_rules(offline_hub, caplog):
    image = _image()
    svd = _load(V.SVD, "StableVideoDiffusionPipeline")
    out = svd(image, height=64, width=64, num_frames=7, decode_chunk_size=3, num_inference_steps=2,
              generator=_gen(), output_type="np").frames
    assert out.shape == (1, 7, 64, 64, 3)
    assert svd.unet.config.num_frames == 14  # default frame count, as the real img2vid
    assert _load(V.SVD_XT, "StableVideoDiffusionPipeline").unet.config.num_frames == 25
    with pytest.raises(ValueError, match="divisible by 8"):
        svd(image, height=60, width=64, num_frames=2, num_inference_steps=1)

    ltx = _load(V.LTX, "LTXImageToVideoPipeline")
    assert (ltx.vae_spatial_compression_ratio, ltx.vae_temporal_compression_ratio) == (32, 8)
    kw = dict(prompt="a cat", num_inference_steps=2, generator=_gen(), output_type="np")
    assert ltx(image=image, height=64, width=64, num_frames=17, **kw).frames.shape == (1, 17, 64, 64, 3)
    # not 8k+1: floored to 8k+1 (no warning)
    assert ltx(image=image, height=64, width=64, num_frames=12, **kw).frames.shape[1] == 9
    with pytest.raises(ValueError, match="divisible by 32"):
        ltx(image=image, height=48, width=64, num_frames=9, **kw)

    wan = _load(V.WAN21_I2V, "WanImageToVideoPipeline")
    assert (wan.vae_scale_factor_spatial, wan.vae_scale_factor_temporal) == (8, 4)
    assert wan(image=image, height=64, width=64, num_frames=9, **kw).frames.shape == (1, 9, 64, 64, 3)
    # not 4k+1: rounded down, with a warning
    assert wan(image=image, height=64, width=64, num_frames=7, **kw).frames.shape[1] == 5
    with pytest.raises(ValueError, match="divisible by 16"):
        wan(image=image, height=40, width=64, num_frames=5, **kw)


def test_t5_tokenizer_round_trip(offline_hub):
    pipe = _load(V.LTX, "LTXImageToVideoPipeline")
    text = "A photo of 2 cats, in the rain!"
    ids = pipe.tokenizer(text).input_ids
    assert ids == V.t5_tokenizer()(text).input_ids
    assert ids[-1] == 1 and 2 not in ids  # ends with </s>, no <unk>
    assert pipe.tokenizer.model_max_length == 128
    assert len(pipe.tokenizer) <= pipe.text_encoder.config.vocab_size


# --------------------------------------------------------------------------- Shap-E
def _shap_e_input(repo):
    return "a red chair" if repo == M.SHAP_E else _image(64, 64)


@pytest.mark.parametrize("repo", M.MESH_REPOS)
def test_shap_e_mesh(offline_hub, repo, record_property, tmp_path):
    pipe = _load(repo, SHAP_E_CLASSES[repo])

    def run(seed=0):
        out = pipe(_shap_e_input(repo), generator=_gen(seed), output_type="mesh", **M.FAST_KWARGS)
        assert len(out.images) == 1
        return out.images[0]

    start = time.perf_counter()
    mesh = run()
    elapsed = time.perf_counter() - start
    record_property("mesh_s", round(elapsed, 2))
    verts, faces = mesh.verts, mesh.faces
    assert 0 < len(verts) < MAX_MESH_VERTICES, len(verts)
    assert faces.ndim == 2 and faces.shape[1] == 3 and len(faces) > 0
    assert faces.min() >= 0 and faces.max() < len(verts)
    assert verts.abs().max() <= 1.0  # inside Shap-E's [-1, 1]^3 box
    assert sorted(mesh.vertex_channels) == ["B", "G", "R"]
    colours = torch.stack([mesh.vertex_channels[c] for c in "RGB"], dim=1)
    assert colours.shape == (len(verts), 3)
    assert colours.min() >= 0 and colours.max() <= 1
    assert (colours.std(dim=0) > 0.01).all()  # not all equal, in every channel

    again = run()
    assert torch.equal(verts, again.verts) and torch.equal(faces, again.faces)
    assert all(torch.equal(mesh.vertex_channels[c], again.vertex_channels[c]) for c in "RGB")
    other = run(seed=1)
    assert len(other.verts) != len(verts) or not torch.equal(other.verts, verts)

    import trimesh

    # process=False: trimesh's vertex merging can fuse two marching-cubes vertices that
    # land (almost) on one grid corner, which then looks non-manifold
    tm = trimesh.Trimesh(verts.numpy(), faces.numpy(), process=False)
    assert tm.is_watertight and tm.is_winding_consistent
    assert tm.volume > 0  # faces point outwards

    from diffusers.utils import export_to_ply

    path = export_to_ply(mesh, str(tmp_path / "mesh.ply"))
    assert path == str(tmp_path / "mesh.ply")
    loaded = trimesh.load(path, process=False)
    assert len(loaded.vertices) == len(verts) and len(loaded.faces) == len(faces)
    vc = np.asarray(loaded.visual.vertex_colors)[:, :3]
    assert vc.std(axis=0).min() > 2  # colours survive the PLY


@pytest.mark.parametrize("repo", M.MESH_REPOS)
def test_shap_e_rendered_frames(offline_hub, repo, record_property):
    pipe = _load(repo, SHAP_E_CLASSES[repo])
    start = time.perf_counter()
    frames = pipe(_shap_e_input(repo), generator=_gen(), output_type="pil", **M.FAST_KWARGS).images
    record_property("pil_s", round(time.perf_counter() - start, 2))
    assert len(frames) == 1 and len(frames[0]) == 20  # 20 turntable views
    assert all(im.size == (32, 32) and im.mode == "RGB" for im in frames[0])
    arr = np.asarray(frames[0][0]).astype(np.float32)
    assert arr.std() > 5  # a coloured blob on a white background, not blank
    assert (arr == 255).all(axis=-1).mean() > 0.5  # mostly background


def test_marching_cubes_table_sphere():
    import trimesh
    from diffusers.pipelines.shap_e.renderer import MeshDecoder

    decoder = MeshDecoder()
    cases, masks = M.marching_cubes_table()
    decoder.cases.copy_(cases)
    decoder.masks.copy_(masks)
    g = torch.linspace(-1, 1, 40)
    x, y, z = torch.meshgrid(g, g, g, indexing="ij")
    field = 0.5 - torch.sqrt(x**2 + y**2 + z**2)  # > 0 inside, as Shap-E's SDF
    out = decoder(field, torch.tensor([-1.0] * 3), torch.tensor([2.0] * 3))
    tm = trimesh.Trimesh(out.verts.numpy(), out.faces.numpy())
    assert tm.is_watertight and tm.is_winding_consistent
    assert abs(tm.volume - 4 / 3 * np.pi * 0.5**3) < 0.02
    # ambiguous configurations stay manifold too
    torch.manual_seed(0)
    noise = torch.full((14, 14, 14), -1.0)
    noise[1:-1, 1:-1, 1:-1] = torch.randn(12, 12, 12)
    out = decoder(noise, torch.tensor([-1.0] * 3), torch.tensor([2.0] * 3))
    assert trimesh.Trimesh(out.verts.numpy(), out.faces.numpy(), process=False).is_watertight


# --------------------------------------------------------------------------- env vars only, fresh process
SUBPROCESS_SCRIPT = NO_NETWORK_PREAMBLE + textwrap.dedent(
    """

    import time
    import torch, diffusers
    from PIL import Image
    from huggingface_hub import constants
    torch.set_num_threads(1)
    print("CACHE", constants.HF_HUB_CACHE, "OFFLINE", constants.HF_HUB_OFFLINE)
    image = Image.new("RGB", (64, 64), (200, 40, 40))
    t = time.perf_counter()
    pipe = diffusers.StableVideoDiffusionPipeline.from_pretrained(
        "stabilityai/stable-video-diffusion-img2vid-xt", torch_dtype=torch.float32)
    frames = pipe(image, height=64, width=64, num_frames=4, num_inference_steps=2, decode_chunk_size=2).frames[0]
    print("SVD", len(frames), frames[0].size, round(time.perf_counter() - t, 2))
    t = time.perf_counter()
    pipe = diffusers.ShapEImg2ImgPipeline.from_pretrained("openai/shap-e-img2img", torch_dtype=torch.float32)
    mesh = pipe(image, num_inference_steps=2, frame_size=32, output_type="mesh").images[0]
    print("MESH", int(len(mesh.verts) > 0), round(time.perf_counter() - t, 2))
    print("NETWORK_ATTEMPTS", len(attempts))
    """
)


def test_env_vars_before_import_suffice(tiny_cache):
    env = dict(os.environ)
    for key in ("HF_HOME", "HF_ENDPOINT", "HF_TOKEN"):
        env.pop(key, None)
    env.update(hub_cache.hub_env(tiny_cache["dir"]))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TINY_PARENT), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", SUBPROCESS_SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"CACHE {os.path.abspath(tiny_cache['dir'])} OFFLINE True" in out
    assert "SVD 4 (64, 64)" in out
    assert "MESH 1" in out
    assert "NETWORK_ATTEMPTS 0" in out
