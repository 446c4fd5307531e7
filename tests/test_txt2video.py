"""txt2video end to end: prompts -> plain video samples, through FiftyOne's
operator machinery (SDK call, App run, delegated run).

Local models run as tiny random-weight pipelines under their real repo ids in
a temporary hub cache (offline); hosted models run through the real
``replicate`` client against the local Replicate server, which validates
each request against the model's published schema (docs/schemas) and returns
real H.264 MP4s. Every video is decoded to check its frame count and rate."""

import asyncio
import json
import os
import subprocess
import sys
import time

import pytest

import fiftyone as fo
import fiftyone.operators as foo
from fiftyone.operators.executor import resolve_type
from fiftyone.operators.registry import OperatorRegistry

from tests.conftest import HUB_CACHE, plugin_module
from tests.providers import KEYS, provider_servers
from tests.servers import video_output
from tests.servers.media import video_info
from tests.tiny.fixtures import one_torch_thread  # noqa: F401  (autouse)

OP = "@multigen/generate/txt2video"
TINY = dict(width=96, height=64, num_inference_steps=2, fps=8)
TINY_FRAMES = {"ltx-video-t2v": 9, "wan2.1-t2v-1.3b": 5}
# what the Replicate server returns per model: (frames, fps)
HOSTED_VIDEOS = {
    "google/veo-3.1": (12, 24),
    "minimax/hailuo-02": (10, 25),
    "kwaivgi/kling-v2.5-turbo-pro": (12, 24),
    "wan-video/wan-2.2-t2v-fast": (9, 16),
    "bytedance/seedance-1-lite": (10, 24),
    "bytedance/seedance-1-pro": (10, 24),
}


@pytest.fixture(scope="module", autouse=True)
def tiny_video_models():
    from tests.tiny.video import LTX, WAN21_T2V, install_video

    install_video(HUB_CACHE, (LTX, WAN21_T2V))


@pytest.fixture
def servers(monkeypatch):
    outputs = {ref: video_output(n, fps) for ref, (n, fps) in HOSTED_VIDEOS.items()}
    with provider_servers(monkeypatch, replicate={
            "model_outputs": outputs, "single_output": list(outputs)}) as servers:
        yield servers


@pytest.fixture
def images(dataset, tmp_path):
    """An image dataset: videos cannot join it."""
    from tests.test_img2video import write_image

    dataset.add_sample(fo.Sample(filepath=write_image(tmp_path / "a.png", (64, 64), 0)))
    yield dataset
    outputs = f"{dataset.name}-text-videos"
    if fo.dataset_exists(outputs):
        fo.delete_dataset(outputs)


def models_on(kind):
    catalog = plugin_module("core.catalog")
    return [m.id for m in catalog.models("txt2video", include_retired=False)
            if kind in m.backend_kinds]


def assert_video(video, frames, fps, prompt, size=None):
    """The sample's video plays with ``frames`` at ``fps``, has its metadata
    and provenance, and no source."""
    with open(video.filepath, "rb") as f:
        info = video_info(f.read())
    assert info["frames"] == frames and info["fps"] == pytest.approx(fps)
    assert info["codec"].startswith("h264")
    meta = video.metadata
    assert meta.total_frame_count == frames and meta.frame_rate == pytest.approx(fps)
    assert meta.mime_type == "video/mp4" and meta.size_bytes == os.path.getsize(video.filepath)
    if size:
        assert info["size"] == size and (meta.frame_width, meta.frame_height) == size
    gen = video.generation
    assert gen.task == "txt2video" and gen.prompt == prompt
    assert "generated" in video.tags and gen.model in video.tags
    assert "source_id" not in gen.to_dict()


def test_the_operator_is_listed_and_its_form_builds_from_the_catalog(dataset, monkeypatch):
    fiftyone = os.path.join(os.path.dirname(sys.executable), "fiftyone")
    listed = subprocess.run([fiftyone, "operators", "list"], capture_output=True,
                            text=True, env=os.environ.copy(), timeout=300)
    assert OP in listed.stdout
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_x0123456789")
    params = {"models": ["wan2.1-t2v-1.3b", "veo-3.1-t2v"], "prompt": "a red kite"}
    prop = asyncio.run(resolve_type(OperatorRegistry(), OP, {"dataset_name": dataset.name,
                                                             "params": params}))
    props = prop.type.properties
    choices = {c.value for c in props["models"].view.choices}
    assert choices == set(models_on("diffusers")) | set(models_on("replicate"))
    # never "Required property" in red before anything is typed: a missing
    # prompt is named in the summary and flagged once the box was touched
    assert not props["prompt"].required
    sections = props["options"].type.properties
    wan = sections["wan2_1-t2v-1_3b"].type.properties
    assert {"width", "height", "num_frames", "fps", "memory"} <= set(wan)
    assert "sizing" not in wan  # no image to fit
    assert (wan["width"].default, wan["height"].default) == (832, 480)
    veo = sections["veo-3_1-t2v"].type.properties
    assert {"duration", "resolution", "aspect_ratio", "generate_audio"} <= set(veo)


def test_the_sdk_refuses_what_the_model_refuses_before_anything_runs(dataset):
    op = foo.get_operator(OP)
    with pytest.raises(ValueError, match="needs a prompt|prompt"):
        op(dataset, model="veo-3.1-t2v")
    with pytest.raises(ValueError, match=r"num_frames must be 8k\+1 \(e\.g\. 9 or 17\)"):
        op(dataset, prompt="a kite", model="ltx-video-t2v", num_frames=12)
    with pytest.raises(ValueError, match="duration"):
        op(dataset, prompt="a kite", model="veo-3.1-t2v", duration=5)
    assert len(dataset) == 0


@pytest.mark.parametrize("model_id", models_on("diffusers"))
def test_every_local_model_runs_tiny_into_an_empty_dataset(dataset, model_id):
    model = plugin_module("core.catalog").get(model_id)
    frames = TINY_FRAMES[model_id]
    res = foo.get_operator(OP)(dataset, prompt="a red kite over the sea", model=model_id,
                               backend="diffusers", seed=3, num_frames=frames, **TINY).result
    assert res["failed"] == [] and res["dataset"] == dataset.name
    dataset.reload()
    assert dataset.media_type == "video" and len(dataset) == 1
    video = dataset.first()
    assert res["sample_ids"] == [video.id]
    assert_video(video, frames, TINY["fps"], "a red kite over the sea", size=(96, 64))
    gen = video.generation
    assert gen.model == model_id and gen.backend == "diffusers"
    assert gen.provider_ref == model.backend("diffusers").repo
    assert gen.seed == 3 and gen.params["num_frames"] == frames
    assert gen.memory["device"] == "cpu" and gen.memory["plan"] == "fast"


def test_an_image_dataset_sends_videos_to_its_text_videos_dataset(images):
    op = foo.get_operator(OP)
    kwargs = dict(model="wan2.1-t2v-1.3b", backend="diffusers", num_frames=5, **TINY)
    first = op(images, prompt="a kite", seed=1, **kwargs).result
    assert first["dataset"] == f"{images.name}-text-videos"
    second = op(images, prompt="a kite", seed=2, **kwargs).result
    assert second["dataset"] == first["dataset"]
    out = fo.load_dataset(first["dataset"])
    assert out.media_type == "video" and len(out) == 2
    assert len(images) == 1 and images.media_type == "image"
    # the same request again is skipped: its video is there
    assert op(images, prompt="a kite", seed=2, **kwargs).result["skipped"] == 1


@pytest.mark.parametrize("model_id", models_on("replicate"))
def test_every_hosted_model_makes_a_video(servers, dataset, model_id):
    model = plugin_module("core.catalog").get(model_id)
    backend = model.backend("replicate")
    frames, fps = HOSTED_VIDEOS[backend.model_ref]
    res = foo.get_operator(OP)(dataset, prompt="a red kite", model=model_id,
                               seed=11 if model.seeded else None).result
    assert res["failed"] == []
    dataset.reload()
    (video,) = dataset
    assert_video(video, frames, fps, "a red kite")
    gen = video.generation
    assert gen.backend == "replicate" and gen.request_id
    assert gen.provider_ref == backend.model_ref  # official: run by name
    assert gen.seed == (11 if model.seeded else None)
    (post,) = [r for r in servers["replicate"].requests if r.method == "POST"]
    assert post.path == f"/v1/models/{backend.model_ref}/predictions"
    body = post.json["input"]
    assert body["prompt"] == "a red kite" and ("seed" in body) == model.seeded
    defaults = {p.name: p.default for p in model.params_for("replicate")
                if p.default is not None and p.name != "seed"}
    for name, value in defaults.items():
        assert body[backend.fields.get(name, name)] == value
    dump = json.dumps(dataset.to_dict(), default=str)
    assert not any(key in dump for key in KEYS.values())


def test_several_models_are_compared_side_by_side(servers, dataset):
    res = foo.get_operator(OP)(dataset, prompt="a red kite", seed=5,
                               model=["veo-3.1-t2v", "seedance-1-lite-t2v"]).result
    assert res["failed"] == [] and len(res["sample_ids"]) == 2
    dataset.reload()
    # one group for the prompt, one element per model
    groups = dataset.load_saved_view("multigen-compare")
    assert len(groups) == 1
    assert len(set(dataset.values("generation.compare_key"))) == 1
    assert sorted(dataset.values("generation.model")) == ["seedance-1-lite-t2v", "veo-3.1-t2v"]


def test_app_run_streams_progress_and_opens_the_videos(servers, images):
    params = {"models": ["hailuo-02-t2v"], "prompt": "a red kite\na blue kite",
              "options": {"hailuo-02-t2v": {"resolution": "768p"}}}
    result = foo.execute_operator(OP, {"dataset": images.name, "view": images.view(),
                                       "params": params})
    assert result.error is None, result.error
    triggers = result.to_json()["executor"]["requests"]
    assert [t["operator_uri"] for t in triggers][-2:] == ["open_dataset", "notify"]
    assert triggers[-2]["params"]["dataset"] == f"{images.name}-text-videos"
    assert triggers[-1]["params"] == {
        # 2 videos of 6 s (the default) at 768p, $0.045 a second
        "message": f"Generated 2 videos; it cost $0.54 (README: Cost); they are in the "
        f"dataset {images.name}-text-videos, now open", "variant": "success"}
    out = fo.load_dataset(f"{images.name}-text-videos")
    assert sorted(out.values("generation.prompt")) == ["a blue kite", "a red kite"]
    bodies = [r.json["input"] for r in servers["replicate"].requests if r.method == "POST"]
    assert {b["resolution"] for b in bodies} == {"768p"}


def test_delegated_run_is_picked_up_by_a_launcher(servers, dataset):
    op = foo.get_operator(OP)
    with pytest.raises(ValueError, match="persistent"):
        op(dataset, prompt="a kite", model="wan2.2-t2v-fast", delegate=True)
    dataset.persistent = True
    res = op(dataset, prompt=["a red kite", "a blue kite"], model="wan2.2-t2v-fast",
             seed=4, fps=20, delegate=True)
    assert res.delegated and len(dataset) == 0
    launcher = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "fiftyone"), "delegated", "launch"],
        env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            dataset.reload()
            if len(dataset) == 2:
                break
            time.sleep(0.5)
    finally:
        launcher.terminate()
        launcher.wait(10)
    assert len(dataset) == 2 and dataset.media_type == "video"
    for video in dataset:
        assert_video(video, 9, 16, video.generation.prompt)
        assert video.generation.seed == 4 and video.generation.params["fps"] == 20
    bodies = [r.json["input"] for r in servers["replicate"].requests if r.method == "POST"]
    assert {b["frames_per_second"] for b in bodies} == {20}


def test_a_value_the_provider_takes_only_beside_another_is_refused_first(servers, dataset):
    """Hailuo 02 makes 10 s videos at 768p only: refused before anything is sent."""
    op = foo.get_operator(OP)
    with pytest.raises(ValueError,
                       match="duration 10 needs resolution 768p; got resolution 1080p"):
        op(dataset, prompt="a kite", model="hailuo-02-t2v", duration=10)
    assert not [r for r in servers["replicate"].requests if r.method == "POST"]
    res = op(dataset, prompt="a kite", model="hailuo-02-t2v", duration=10,
             resolution="768p").result
    assert res["failed"] == [] and len(res["sample_ids"]) == 1


def test_an_app_run_into_an_empty_dataset_opens_it_afresh(servers, dataset):
    """The first videos give an empty dataset its media type: the App opens
    the dataset again rather than reloading its media-less state."""
    params = {"models": ["veo-3.1-t2v"], "prompt": "a red kite"}
    result = foo.execute_operator(OP, {"dataset": dataset.name, "view": dataset.view(),
                                       "params": params})
    assert result.error is None, result.error
    triggers = result.to_json()["executor"]["requests"]
    assert [t["operator_uri"] for t in triggers][-2:] == ["open_dataset", "notify"]
    assert triggers[-2]["params"] == {"dataset": dataset.name}
    assert triggers[-1]["params"]["message"] == "Generated 1 video"
    dataset.reload()
    assert dataset.media_type == "video" and len(dataset) == 1
