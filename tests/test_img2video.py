"""img2video end to end: selected image samples -> videos in a grouped dataset
beside their source images, through FiftyOne's operator machinery.

Local models run as tiny random-weight pipelines under their real repo ids in
a temporary hub cache (offline); hosted models run through the real
``replicate`` client against the local Replicate protocol server, which
returns real H.264 MP4s. Every video is decoded to check its frame count and
frame rate."""

import asyncio
import base64
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

import fiftyone as fo
import fiftyone.operators as foo
from fiftyone.operators.executor import resolve_type
from fiftyone.operators.registry import OperatorRegistry

from tests.conftest import HUB_CACHE, plugin_module
from tests.providers import KEYS, provider_servers, register_versions
from tests.servers import video_output
from tests.servers.media import video_info
from tests.tiny.fixtures import one_torch_thread  # noqa: F401  (autouse)

OP = "@multigen/generate/img2video"
GIB = 2**30

# tiny local runs: a non-square frame every pipeline accepts (SVD: multiples of
# 8, Wan: 16, LTX: 32) and a valid frame count per model (LTX 8k+1, Wan 4k+1)
TINY = dict(width=96, height=64, num_inference_steps=2, fps=8)
TINY_FRAMES = {"svd": 4, "svd-xt": 6, "ltx-video": 9, "wan2.1-i2v-480p": 5,
               "wan2.2-i2v-a14b": 5}
# what the Replicate server returns per model: (frames, fps)
HOSTED_VIDEOS = {
    "stability-ai/stable-video-diffusion": (14, 7),
    "wan-video/wan-2.2-i2v-a14b": (9, 16),
    "wan-video/wan-2.2-i2v-fast": (9, 16),
    "kwaivgi/kling-v2.1": (12, 24),
    "bytedance/seedance-1-lite": (10, 24),
    "bytedance/seedance-1-pro": (10, 24),
    "google/veo-3.1": (12, 24),
    "minimax/hailuo-02": (10, 25),
    "kwaivgi/kling-v2.5-turbo-pro": (12, 24),
}


@pytest.fixture(scope="module", autouse=True)
def tiny_video_models():
    from tests.tiny.video import install_video

    install_video(HUB_CACHE)


def write_image(path, size, seed):
    rng = np.random.RandomState(seed)
    w, h = size
    pixels = (rng.rand(h, w, 3) * 255).astype("uint8")
    pixels[: h // 2, :, 0] = 220  # some structure
    Image.fromarray(pixels).save(path)
    return str(path)


@pytest.fixture
def images(dataset, tmp_path):
    """Two image samples (non-square, different sizes)."""
    dataset.add_samples([
        fo.Sample(filepath=write_image(tmp_path / "beach.png", (120, 80), 0)),
        fo.Sample(filepath=write_image(tmp_path / "forest.png", (64, 96), 1)),
    ])
    yield dataset
    outputs = f"{dataset.name}-videos"
    if fo.dataset_exists(outputs):
        fo.delete_dataset(outputs)


@pytest.fixture
def servers(monkeypatch):
    catalog = plugin_module("core.catalog")
    outputs = {ref: video_output(n, fps) for ref, (n, fps) in HOSTED_VIDEOS.items()}
    with provider_servers(monkeypatch, replicate={
            "model_outputs": outputs, "single_output": list(outputs)}) as servers:
        register_versions(servers["replicate"], catalog.models("img2video"))
        yield servers


def models_on(kind):
    catalog = plugin_module("core.catalog")
    return [m.id for m in catalog.models("img2video", include_retired=False)
            if kind in m.backend_kinds]


def pairs(result):
    """The output dataset and its groups as [(image sample, video sample)]."""
    out = fo.load_dataset(result["dataset"])
    videos = out.select_group_slices("video")
    found = []
    for video in videos:
        group = out.get_group(video.group.id)
        assert set(group) == {"image", "video"}
        found.append((group["image"], group["video"]))
    return out, found


def decoded(path):
    with open(path, "rb") as f:
        return video_info(f.read())


def assert_pair(image, video, source, frames, fps, size=None):
    """The video plays with ``frames`` at ``fps``, has its metadata, and is
    linked to ``source``, whose image sits in the same group."""
    info = decoded(video.filepath)
    assert info["frames"] == frames and info["fps"] == pytest.approx(fps)
    assert info["codec"].startswith("h264")
    meta = video.metadata
    assert meta.total_frame_count == frames and meta.frame_rate == pytest.approx(fps)
    assert meta.mime_type == "video/mp4" and meta.size_bytes == os.path.getsize(video.filepath)
    if size:
        assert info["size"] == size and (meta.frame_width, meta.frame_height) == size
    gen = video.generation
    assert gen.task == "img2video"
    assert gen.source_id == source.id and gen.source_path == source.filepath
    assert gen.source_dataset == source._dataset.name
    assert "generated" in video.tags
    assert image.filepath == source.filepath and "source" in image.tags
    assert image.source_id == source.id and image.generation.model == gen.model
    with Image.open(source.filepath) as picture:
        assert (image.metadata.width, image.metadata.height) == picture.size


# --------------------------------------------------------------------------- plugin


def test_fiftyone_lists_the_operator_and_the_plugin_imports_light():
    fiftyone = os.path.join(os.path.dirname(sys.executable), "fiftyone")
    listed = subprocess.run([fiftyone, "operators", "list"], capture_output=True,
                            text=True, env=os.environ.copy(), timeout=300)
    assert OP in listed.stdout
    code = (
        "import sys, fiftyone.operators as foo\n"
        f"models = foo.get_operator('{OP}').list_models()\n"
        "print(len(models), sorted(m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'diffusers', 'transformers', 'replicate', 'imageio')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=os.environ.copy(), timeout=300)
    assert out.returncode == 0, out.stderr
    count, heavy = out.stdout.strip().splitlines()[-1].split(" ", 1)
    assert int(count) == len(plugin_module("core.catalog").models("img2video"))
    assert heavy == "[]"


def form(dataset, params):
    registry = OperatorRegistry()
    prop = asyncio.run(resolve_type(registry, OP, {"dataset_name": dataset.name,
                                                   "params": params}))
    return prop.type.properties


def test_form_builds_from_the_catalog(images, monkeypatch):
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_x0123456789")
    props = form(images, {"models": ["svd-xt", "wan2.2-i2v-a14b"],
                          "options": {"svd-xt": {"backend": "diffusers"},
                                      "wan2_2-i2v-a14b": {"backend": "replicate"}},
                          "prompt": "the waves roll in"})
    choices = {c.value: c.label for c in props["models"].view.choices}
    assert set(choices) == {m.id for m in plugin_module("core.catalog").models("img2video")}
    assert "retired 2025-07-24" in choices["stability-svd-api"]
    assert "use kling-v2.1" in choices["sora-2"]
    assert not props["prompt"].required
    sections = props["options"].type.properties
    svd = sections["svd-xt"].type.properties
    assert {"width", "height", "num_frames", "fps", "motion_bucket_id",
            "noise_aug_strength", "decode_chunk_size", "sizing", "memory"} <= set(svd)
    assert (svd["width"].default, svd["height"].default) == (1024, 576)
    assert svd["num_frames"].default == 25 and svd["memory"].default == "auto"
    wan = sections["wan2_2-i2v-a14b"].type.properties
    assert {"resolution", "num_frames", "sample_shift"} <= set(wan)
    assert "width" not in wan and "sizing" not in wan and "memory" not in wan
    assert wan["num_frames"].type.min == 81  # Replicate's range, not the local one
    assert "negative_prompt" in props  # asked once, for the models that take it
    assert "4 outputs" in props["summary"].view.label  # 2 images x 2 models


def test_form_and_sdk_flag_what_to_fix(images):
    props = form(images, {"models": ["kling-v2.1"], "prompt": ""})
    assert props["prompt"].invalid and "needs a prompt" in props["prompt"].error_message
    op = foo.get_operator(OP)
    with pytest.raises(ValueError, match="Kling v2.1 needs a prompt"):
        op(images, model="kling-v2.1")
    with pytest.raises(ValueError, match=r"num_frames must be 8k\+1 \(e\.g\. 9 or 17\)"):
        op(images, model="ltx-video", backend="diffusers", num_frames=12)
    with pytest.raises(ValueError, match="multiple of 16"):
        op(images, model="wan2.1-i2v-480p", width=100)
    with pytest.raises(ValueError, match="sizing must be one of crop, pad, resize"):
        op(images, model="svd", backend="diffusers", sizing="zoom")
    with pytest.raises(ValueError, match="retired by its provider on 2025-07-24; use svd-xt"):
        op(images, model="stability-svd-api")
    assert not fo.dataset_exists(f"{images.name}-videos")


# --------------------------------------------------------------------------- local


@pytest.mark.parametrize("model_id", models_on("diffusers"))
def test_every_local_model_runs_tiny(images, model_id):
    model = plugin_module("core.catalog").get(model_id)
    frames = TINY_FRAMES[model_id]
    source = images.first()
    # prompts are optional for local models (Wan 2.1 runs with none here)
    prompt = None if model_id == "wan2.1-i2v-480p" else "the waves roll in"
    res = foo.get_operator(OP)(images.select(source.id), model=model_id,
                               backend="diffusers", prompt=prompt, seed=3,
                               num_frames=frames, **TINY).result
    assert res["failed"] == []
    assert res["dataset"] == f"{images.name}-videos"
    out, found = pairs(res)
    assert out.media_type == "group" and out.default_group_slice == "video"
    assert out.group_media_types == {"image": "image", "video": "video"}
    assert len(found) == 1 and res["sample_ids"] == [found[0][1].id]
    image, video = found[0]
    assert_pair(image, video, source, frames, TINY["fps"], size=(96, 64))
    gen = video.generation
    assert gen.model == model_id and gen.backend == "diffusers"
    assert gen.provider_ref == model.backend("diffusers").repo
    assert gen.seed == 3 and gen.params["num_frames"] == frames
    assert gen.params["sizing"] == "crop"
    assert gen.memory["device"] == "cpu" and gen.memory["plan"] == "fast"
    assert gen.memory["cpu_offload"] is False
    assert len(images) == 2  # the source dataset holds only its images


@pytest.fixture
def fresh_datasets():
    """Makes image datasets on demand; deletes them and their videos after."""
    made = []

    def make(filepath):
        ds = fo.Dataset()
        ds.add_sample(fo.Sample(filepath=filepath))
        made.append(ds.name)
        return ds

    yield make
    for name in made:
        for each in (name, f"{name}-videos"):
            if fo.dataset_exists(each):
                fo.delete_dataset(each)


def test_same_seed_same_video_and_the_low_memory_plan(images, fresh_datasets):
    import imageio.v2 as imageio

    op = foo.get_operator(OP)
    path = images.first().filepath
    kwargs = dict(model="svd", backend="diffusers", num_frames=4, **TINY)

    def run(**options):
        res = op(fresh_datasets(path), **kwargs, **options).result
        (video,) = fo.load_dataset(res["dataset"]).select_group_slices("video")
        return video, np.stack(imageio.mimread(video.filepath, format="FFMPEG")).astype(int)

    a, a_frames = run(seed=5)
    _, again = run(seed=5)
    _, other = run(seed=6)
    b, _ = run(seed=5, memory="low")
    assert np.array_equal(a_frames, again)
    assert np.abs(a_frames - other).mean() > 1
    assert a.generation.memory["decode_chunk_size"] == 8
    frames_plan = {
        "mode": "low", "plan": "low", "device": "cpu", "available_gpu_gib": None,
        "cpu_offload": False, "forward_chunking": True, "vae_tiling": False,
        "decode_chunk_size": 2}
    assert {k: b.generation.memory.get(k) for k in frames_plan} == frames_plan
    # where the weights live: all on the CPU, with the sizes it was chosen from
    assert b.generation.memory["placement"] == "full" and not b.generation.memory["fp8"]
    assert b.generation.memory["weights_gib"] is not None


def test_a_second_run_adds_to_the_same_videos_dataset(images):
    op = foo.get_operator(OP)
    source = images.select(images.first().id)
    kwargs = dict(model="svd", backend="diffusers", num_frames=2, **TINY)
    first = op(source, seed=1, **kwargs).result
    second = op(source, seed=2, **kwargs).result
    assert second["failed"] == [] and first["dataset"] == second["dataset"]
    _, found = pairs(second)
    assert len(found) == 2
    # the same request again is skipped: its video is already there
    assert op(source, seed=2, **kwargs).result["skipped"] == 1


def test_memory_plan_follows_free_gpu_memory():
    memory = plugin_module("video.memory")
    catalog = plugin_module("core.catalog")
    need = catalog.get("svd-xt").backend("diffusers").fast_gib

    def plan(mode, free_gib, **kwargs):
        return memory.choose(mode, "cuda", need, chunked_decode=True,
                             free_bytes=free_gib * GIB, **kwargs)

    roomy, tight = plan("auto", need + 20), plan("auto", need - 4)
    assert (roomy.plan, roomy.cpu_offload, roomy.forward_chunking,
            roomy.decode_chunk_size) == ("fast", False, False, 8)
    assert (tight.plan, tight.cpu_offload, tight.forward_chunking,
            tight.decode_chunk_size) == ("low", True, True, 2)
    assert tight.available_gpu_gib == need - 4
    assert plan("fast", 2).plan == "fast"  # the user overrides
    assert plan("low", 200).cpu_offload
    assert plan("auto", 2, decode_chunk_size=5).decode_chunk_size == 5
    on_cpu = memory.choose("low", "cpu", need)
    assert not on_cpu.cpu_offload and on_cpu.decode_chunk_size is None
    # bigger models ask for more before running all on the GPU
    needs = {m: catalog.get(m).backend("diffusers").fast_gib for m in TINY_FRAMES}
    assert needs["svd"] < needs["wan2.1-i2v-480p"] < needs["wan2.2-i2v-a14b"]


def test_sizing_crops_pads_or_stretches(tmp_path):
    sizing = plugin_module("video.sizing")
    wide = np.zeros((100, 200, 3), dtype=np.uint8)
    wide[:, :50] = (255, 0, 0)  # red left quarter
    wide[:, 50:150] = (0, 255, 0)  # green middle
    wide[:, 150:] = (0, 0, 255)
    path = str(tmp_path / "wide.png")
    Image.fromarray(wide).save(path)

    def fitted(mode):
        image = sizing.load_source(path, 64, 64, mode)
        assert image.size == (64, 64) and image.mode == "RGB"
        return np.asarray(image).astype(int)

    def near(pixel, colour):  # Lanczos rings a little at edges
        return np.abs(pixel - colour).max() <= 3

    crop, pad, resize = fitted("crop"), fitted("pad"), fitted("resize")
    assert near(crop[32, 2], (0, 255, 0))  # only the middle remains
    assert near(pad[2, 32], (0, 0, 0)) and near(pad[32, 2], (255, 0, 0))  # bars
    assert near(resize[2, 2], (255, 0, 0)) and near(resize[32, 32], (0, 255, 0))


def test_bad_sources_are_reported_and_the_rest_is_made(images, tmp_path):
    missing = write_image(tmp_path / "gone.png", (64, 64), 2)
    broken = str(tmp_path / "broken.png")
    with open(broken, "w") as f:
        f.write("not a picture")
    images.add_samples([fo.Sample(filepath=missing), fo.Sample(filepath=broken)])
    os.remove(missing)
    res = foo.get_operator(OP)(images, model="svd", backend="diffusers", seed=1,
                               num_frames=2, **TINY).result
    by_id = {s.filepath: s.id for s in images}
    errors = {f["source_id"]: f["error"] for f in res["failed"]}
    assert set(errors) == {by_id[missing], by_id[broken]}
    assert "source file is missing" in errors[by_id[missing]]
    assert "cannot identify image file" in errors[by_id[broken]]
    _, found = pairs(res)
    assert sorted(v.generation.source_path for _, v in found) == sorted(
        s.filepath for s in images.limit(2))


def test_a_video_dataset_is_reported_not_crashed_on(dataset, tmp_path):
    path = str(tmp_path / "clip.mp4")
    with open(path, "wb") as f:
        f.write(video_output(4, 8)("x", {})[0][0])
    dataset.add_sample(fo.Sample(filepath=path))
    res = foo.get_operator(OP)(dataset, model="svd", backend="diffusers").result
    assert res["sample_ids"] == []
    assert res["failed"] == [{"source_id": dataset.first().id, "source": path,
                              "model": None, "backend": None, "prompt": None,
                              "error": "not an image: clip.mp4"}]
    fo.delete_dataset(f"{dataset.name}-videos")


# --------------------------------------------------------------------------- hosted


@pytest.mark.parametrize("model_id", models_on("replicate"))
def test_every_hosted_model_makes_a_video(servers, images, model_id):
    catalog = plugin_module("core.catalog")
    model = catalog.get(model_id)
    backend = model.backend("replicate")
    owner_name = backend.model_ref.split(":")[0]
    frames, fps = HOSTED_VIDEOS[owner_name]
    source = images.first()
    res = foo.get_operator(OP)(images.select(source.id), model=model_id,
                               backend="replicate", prompt="the waves roll in",
                               seed=11 if model.seeded else None).result
    assert res["failed"] == []
    _, found = pairs(res)
    assert len(found) == 1
    image, video = found[0]
    assert_pair(image, video, source, frames, fps)
    gen = video.generation
    assert gen.backend == "replicate" and gen.request_id
    assert gen.provider_ref.startswith(owner_name)
    assert gen.seed == (11 if model.seeded else None)

    (post,) = [r.json for r in servers["replicate"].requests if r.method == "POST"]
    body = post["input"]
    # the image goes inline, whole, in the model's own field
    header, _, data = body[backend.image_field].partition(",")
    assert header == "data:image/png;base64"
    with open(source.filepath, "rb") as f:
        assert base64.b64decode(data) == f.read()
    assert ("prompt" in body) == backend.takes_prompt
    assert ("seed" in body) == model.seeded
    for name, value in backend.fixed.items():
        assert body[name] == value
    dump = json.dumps(fo.load_dataset(res["dataset"]).to_dict(), default=str)
    assert not any(key in dump for key in KEYS.values())


def test_options_reach_replicate_under_its_own_names(servers, images, fresh_datasets):
    op = foo.get_operator(OP)
    path = images.first().filepath
    op(fresh_datasets(path), model="svd-xt", backend="replicate", fps=10, motion_bucket_id=90,
       noise_aug_strength=0.1, decode_chunk_size=4, sizing_strategy="crop_to_16_9",
       num_inference_steps=30)  # a local-only option, not sent
    op(fresh_datasets(path), model="wan2.2-i2v-a14b", backend="replicate", prompt="waves",
       negative_prompt="blur", num_frames=90, fps=20, num_inference_steps=20,
       resolution="720p")
    svd, wan = [r.json["input"] for r in servers["replicate"].requests if r.method == "POST"]
    assert {k: v for k, v in svd.items() if k != "input_image"} == {
        "video_length": "25_frames_with_svd_xt", "frames_per_second": 10,
        "motion_bucket_id": 90, "cond_aug": 0.1, "decoding_t": 4,
        "sizing_strategy": "crop_to_16_9", "seed": svd["seed"]}
    assert {k: v for k, v in wan.items() if k not in ("image", "seed")} == {
        "prompt": "waves", "num_frames": 90, "frames_per_second": 20,
        "sample_steps": 20, "resolution": "720p", "sample_shift": 5.0}


def test_one_failed_prediction_keeps_the_other_videos(servers, images):
    servers["replicate"].fail_next("model_failed", error="CUDA out of memory")
    res = foo.get_operator(OP)(images, model="svd", backend="replicate").result
    assert len(res["failed"]) == 1
    assert "CUDA out of memory" in res["failed"][0]["error"]
    assert res["failed"][0]["source_id"] in images.values("id")
    _, found = pairs(res)
    assert len(found) == 1


def test_a_video_that_does_not_play_is_reported_and_not_kept(images, monkeypatch):
    broken = {"kwaivgi/kling-v2.1": lambda ref, inp: [(b"not a video", "mp4")]}
    with provider_servers(monkeypatch, replicate={
            "model_outputs": broken, "single_output": True}):
        res = foo.get_operator(OP)(images.limit(1), model="kling-v2.1",
                                   prompt="the waves roll in").result
    assert res["sample_ids"] == []
    (failure,) = res["failed"]
    assert "does not play" in failure["error"] and failure["model"] == "kling-v2.1"
    folder = os.path.join(fo.config.default_dataset_dir, "multigen",
                          f"{images.name}-videos", "kling-v2.1")
    assert not [f for f in os.listdir(folder) if f.endswith(".mp4")]


def test_big_images_are_uploaded_small_ones_inline(tmp_path):
    hosted = plugin_module("core.backends.replicate_api")
    small = write_image(tmp_path / "small.png", (32, 32), 0)
    big = str(tmp_path / "big.png")
    Image.fromarray((np.random.RandomState(0).rand(700, 700, 3) * 255).astype("uint8")).save(big)
    assert os.path.getsize(big) > hosted.INLINE_LIMIT
    assert hosted.source_input(small).startswith("data:image/png;base64,")
    # a Path input is uploaded by the replicate client (its files API)
    assert str(hosted.source_input(big)) == big and not isinstance(hosted.source_input(big), str)


# --------------------------------------------------------------------------- machinery


def test_app_run_streams_progress_and_opens_the_videos(servers, images):
    """An immediate run from the App (no SDK flag): progress, then the
    output dataset opens."""
    params = {"models": ["svd"], "options": {"svd": {"backend": "replicate"}}, "seed": 2}
    result = foo.execute_operator(OP, {"dataset": images.name, "view": images.view(),
                                       "params": params})
    assert result.error is None, result.error
    triggers = result.to_json()["executor"]["requests"]
    assert [t["operator_uri"] for t in triggers] == [
        "set_progress", "set_progress", "open_dataset", "notify"]
    assert triggers[1]["params"]["progress"] == 1.0
    assert triggers[2]["params"]["dataset"] == f"{images.name}-videos"
    assert triggers[3]["params"] == {
        "message": f"Generated 2 videos; they are in the dataset {images.name}-videos, now open",
        "variant": "success"}
    _, found = pairs({"dataset": f"{images.name}-videos"})
    assert len(found) == 2


def test_delegated_run_is_picked_up_by_a_launcher(servers, images):
    op = foo.get_operator(OP)
    with pytest.raises(ValueError, match="persistent"):
        op(images, model="svd", backend="replicate", delegate=True)
    images.persistent = True
    res = op(images, model="svd", backend="replicate", seed=4, fps=9, delegate=True)
    assert res.delegated
    assert not fo.dataset_exists(f"{images.name}-videos")
    launcher = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "fiftyone"), "delegated", "launch"],
        env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if fo.dataset_exists(f"{images.name}-videos"):
                out = fo.load_dataset(f"{images.name}-videos")
                out.reload()
                # the worker may have created the dataset but not its groups yet
                if "video" in (out.group_media_types or {}) and len(
                        out.select_group_slices("video")) == 2:
                    break
            time.sleep(0.5)
    finally:
        launcher.terminate()
        launcher.wait(10)
    out, found = pairs({"dataset": f"{images.name}-videos"})
    assert out.persistent
    assert len(found) == 2
    by_id = {s.id: s for s in images}
    for image, video in found:
        assert_pair(image, video, by_id[video.generation.source_id], 14, 7)
        assert video.generation.seed == 4 and video.generation.params["fps"] == 9


def test_a_3d_dataset_gives_its_source_images_and_keeps_its_slices(servers, images, tmp_path):
    """img2video on a grouped 3D dataset with nothing selected: the sources
    are its ``image`` slice (never the turntable previews), and the videos go
    to ``<name>-videos``, not into the 3D dataset."""
    meshes = fo.Dataset()
    meshes.add_group_field("group", default="mesh")
    scene = str(tmp_path / "object.fo3d")
    fo.Scene().write(scene)
    preview = str(tmp_path / "turntable.gif")
    Image.new("RGB", (32, 32), (200, 40, 40)).save(preview)
    for source in images:
        group = fo.Group()
        meshes.add_samples([
            fo.Sample(filepath=source.filepath, group=group.element("image")),
            fo.Sample(filepath=scene, group=group.element("mesh")),
            fo.Sample(filepath=preview, group=group.element("preview")),
        ])
    try:
        res = foo.get_operator(OP)(meshes, model="svd", backend="replicate", seed=1).result
        assert res["failed"] == [] and res["dataset"] == f"{meshes.name}-videos"
        assert len(res["sample_ids"]) == len(images)
        videos = fo.load_dataset(res["dataset"]).select_group_slices("video")
        assert sorted(videos.values("generation.source_path")) == sorted(
            images.values("filepath"))
        meshes.reload()
        assert sorted(meshes.group_slices) == ["image", "mesh", "preview"]
    finally:
        if fo.dataset_exists(f"{meshes.name}-videos"):
            fo.delete_dataset(f"{meshes.name}-videos")
        meshes.delete()


def test_videos_carry_their_provenance_and_motion_templates_expand(servers, images):
    """A motion prompt template makes one video per value; each MP4 carries
    its generation record in its container metadata, read with ffprobe."""
    source = images.first()
    res = foo.get_operator(OP)(images.select(source.id), model="wan2.2-i2v-fast",
                               backend="replicate", seed=3,
                               prompt="the camera {pans left|zooms in}").result
    assert res["failed"] == []
    out, found = pairs(res)
    assert sorted(v.generation.vars.slot1 for _, v in found) == ["pans left", "zooms in"]
    for _, video in found:
        probe = json.loads(subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json",
             video.filepath], capture_output=True, check=True, text=True).stdout)
        tags = probe["format"]["tags"]
        record = json.loads(tags["comment"])
        gen = video.generation
        assert record["item_key"] == gen.item_key and record["source_id"] == source.id
        assert record["template"] == "the camera {pans left|zooms in}"
        assert record["vars"] == {"slot1": gen.vars.slot1}
        assert tags["description"].splitlines()[0] == gen.prompt
        assert "Model: wan2.2-i2v-fast" in tags["description"]
        assert not any(key in json.dumps(tags) for key in KEYS.values())
        assert video.metadata.size_bytes == os.path.getsize(video.filepath)
    assert out.count_values("generation.vars.slot1") == {"pans left": 1, "zooms in": 1}


def test_the_leaderboard_of_a_grouped_dataset_counts_its_videos(servers, images):
    """Each video's group also holds its source image, which carries the same
    provenance: the leaderboard counts the outputs (the video slice) only."""
    res = foo.get_operator(OP)(images, model="wan2.2-i2v-fast", backend="replicate",
                               prompt="the waves roll in", seed=11).result
    assert res["failed"] == []
    out = fo.load_dataset(res["dataset"])
    rows = foo.get_operator("@multigen/generate/leaderboard")(out)
    assert [(r["model"], r["backend"], r["outputs"]) for r in rows] == [
        ("wan2.2-i2v-fast", "replicate", 2)]
    assert rows[0]["cost_usd"] is None  # no confirmed price (README: Cost)
