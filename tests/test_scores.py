"""Scoring samples: tiny random-weight scorers under the real repo ids in
the temporary hub cache, loaded offline through the same ``from_pretrained``
and ``hf_hub_download`` calls users run; FiftyOne with its MongoDB; the SDK
call users make (``foo.get_operator("@multigen/generate/score")``)."""

import os
import shutil

import numpy as np
import pytest
from PIL import Image

import fiftyone as fo
import fiftyone.operators as foo

from tests.conftest import HUB_CACHE, plugin_module
from tests.tiny.fixtures import one_torch_thread  # noqa: F401  (autouse)

SCORE = "@multigen/generate/score"
ALL = ["clip_score", "pick_score", "aesthetic"]
PROMPTS = ["a red fox in the snow", "a blue whale", "a lighthouse at dusk"]
TOLERANCE = 1e-3  # same input, same score: within float noise of CPU kernels


@pytest.fixture(scope="module", autouse=True)
def tiny_scorers():
    from tests.tiny.scorers import install_scorers

    install_scorers(HUB_CACHE)


def picture(path, seed, size=(96, 80)):
    rng = np.random.RandomState(seed)
    Image.fromarray(rng.randint(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(path)
    return str(path)


def generated(path, prompt, model="sdxl"):
    """A sample as generation writes it (the fields scoring reads)."""
    return fo.Sample(filepath=str(path), tags=["generated", model],
                     generation=fo.DynamicEmbeddedDocument(prompt=prompt, model=model))


def images(dataset, tmp_path, count=3, start=0):
    samples = [generated(picture(tmp_path / f"img{i}.png", i), PROMPTS[i % len(PROMPTS)])
               for i in range(start, start + count)]
    dataset.add_samples(samples)
    dataset.add_dynamic_sample_fields()
    return samples


def metric(metric_id):
    return plugin_module("core.metrics").get(metric_id)


def scores_of(dataset, metric_id):
    dataset.reload()
    return dict(zip(dataset.values("id"), dataset.values(f"scores.{metric_id}")))


def test_images_get_every_score_in_range_and_the_same_score_again(dataset, tmp_path):
    images(dataset, tmp_path)
    op = foo.get_operator(SCORE)
    result = op(dataset, metrics=ALL).result
    assert result["failed"] == []
    assert result["scored"] == {m: 3 for m in ALL}
    first = {m: scores_of(dataset, m) for m in ALL}
    for metric_id, values in first.items():
        declared = metric(metric_id)
        assert all(isinstance(v, float) and declared.in_range(v) for v in values.values()), (
            metric_id, values)
    for sample in dataset:
        for metric_id in ALL:
            record = sample.scoring[metric_id]
            assert record.version == metric(metric_id).version
            assert record.pictures == 1 and record.min == pytest.approx(
                sample.scores[metric_id])
            assert all("@" in c for c in record.commits)  # which hub commits made it
    # the sidebar filters on it: a declared float field
    assert isinstance(dataset.get_field("scores.clip_score"), fo.FloatField)

    again = op(dataset, metrics=ALL, rescore=True).result
    assert again["scored"] == {m: 3 for m in ALL}
    for metric_id in ALL:
        now = scores_of(dataset, metric_id)
        for sample_id, value in first[metric_id].items():
            assert now[sample_id] == pytest.approx(value, abs=TOLERANCE)


def test_a_resumed_run_scores_only_what_is_missing(dataset, tmp_path):
    images(dataset, tmp_path, count=2)
    op = foo.get_operator(SCORE)
    op(dataset, metrics=["clip_score"])
    dataset.reload()
    stamps = dict(zip(dataset.values("id"), dataset.values("scoring.clip_score.scored_at")))
    images(dataset, tmp_path, count=2, start=2)

    result = op(dataset, metrics=["clip_score", "aesthetic"]).result
    assert result["skipped"] == {"clip_score": 2, "aesthetic": 0}
    assert result["scored"] == {"clip_score": 2, "aesthetic": 4}
    dataset.reload()
    now = dict(zip(dataset.values("id"), dataset.values("scoring.clip_score.scored_at")))
    assert all(now[i] == stamp for i, stamp in stamps.items())  # not touched
    assert None not in dataset.values("scores.clip_score")


def test_failures_are_listed_and_the_rest_are_scored(dataset, tmp_path):
    images(dataset, tmp_path, count=2)
    gone = generated(tmp_path / "gone.png", "a cat")
    no_prompt = fo.Sample(filepath=picture(tmp_path / "plain.png", 9))
    dataset.add_samples([gone, no_prompt])
    result = foo.get_operator(SCORE)(dataset, metrics=["clip_score", "aesthetic"]).result
    failed = {(f["metric"], os.path.basename(f["filepath"])): f["error"]
              for f in result["failed"]}
    assert set(failed) == {("clip_score", "gone.png"), ("aesthetic", "gone.png"),
                           ("clip_score", "plain.png")}
    assert "missing" in failed["aesthetic", "gone.png"]
    assert "prompt" in failed["clip_score", "plain.png"]
    assert result["scored"] == {"clip_score": 2, "aesthetic": 3}  # no prompt needed


def test_prompts_from_a_field(dataset, tmp_path):
    dataset.add_samples([fo.Sample(filepath=picture(tmp_path / f"c{i}.png", i),
                                   caption=PROMPTS[i]) for i in range(2)])
    op = foo.get_operator(SCORE)
    with pytest.raises(ValueError, match="no field 'nope'"):
        op(dataset, metrics=["clip_score"], prompt_field="nope")
    with pytest.raises(ValueError, match="unknown metric 'fid'"):
        op(dataset, metrics=["fid"])
    result = op(dataset, metrics=["pick_score"], prompt_field="caption").result
    assert result["scored"] == {"pick_score": 2} and result["failed"] == []


def write_video(path, frames=10, size=64):
    mp4 = plugin_module("video.mp4")
    rng = np.random.RandomState(3)
    data = rng.randint(0, 255, (frames, size, size, 3), dtype=np.uint8)
    path.write_bytes(mp4.encode_mp4(data, 8))
    return str(path)


def write_turntable(path, frames=6):
    pictures = [Image.fromarray(np.random.RandomState(i).randint(
        0, 255, (64, 64, 3), dtype=np.uint8)) for i in range(frames)]
    pictures[0].save(path, format="GIF", save_all=True, append_images=pictures[1:])
    return str(path)


def test_a_video_and_a_3d_sample_are_scored_on_their_frames(dataset, tmp_path):
    """As img2video and text_to_3d write them: a grouped dataset, the video
    beside its source image, the scene beside its turntable preview."""
    dataset.add_group_field("group", default="image")
    source = picture(tmp_path / "source.png", 1)
    scene_path = str(tmp_path / "mesh.fo3d")
    fo.Scene().write(scene_path)
    preview = write_turntable(tmp_path / "preview.gif")
    video_group, mesh_group = fo.Group(), fo.Group()
    video = generated(write_video(tmp_path / "clip.mp4"), "waves rolling in", "svd-xt")
    video["group"] = video_group.element("video")
    mesh = generated(scene_path, "a small teapot", "shap-e")
    mesh["thumbnail_path"] = preview
    mesh["group"] = mesh_group.element("mesh")
    companions = [fo.Sample(filepath=source, tags=["source"],
                            group=video_group.element("image")),
                  fo.Sample(filepath=preview, tags=["generated", "preview"],
                            group=mesh_group.element("preview"))]
    dataset.add_samples([video, mesh, *companions])

    result = foo.get_operator(SCORE)(dataset, metrics=["clip_score", "aesthetic"],
                                     frames=4).result
    assert result["failed"] == []
    assert result["scored"] == {"clip_score": 2, "aesthetic": 2}  # not the companions
    everything = dataset.select_group_slices(_allow_mixed=True)
    for sample in everything:
        if "generated" in sample.tags and "preview" not in sample.tags:
            for metric_id in ("clip_score", "aesthetic"):
                record = sample.scoring[metric_id]
                assert record.pictures == 4  # frames sampled evenly
                assert record.min <= sample.scores[metric_id] + 1e-6
                assert metric(metric_id).in_range(sample.scores[metric_id])
        else:
            assert sample.get_field("scores") is None


def test_score_as_you_generate(dataset):
    from tests.tiny.text_to_image import install_text_to_image

    install_text_to_image(HUB_CACHE, ["stable-diffusion-v1-5/stable-diffusion-v1-5"])
    op = foo.get_operator("@multigen/generate/txt2img")
    with pytest.raises(ValueError, match="unknown metric"):
        op(dataset, prompt="a cat", model="sd15", backend="diffusers", score=["nope"])
    result = op(dataset, prompt=["a cat", "a dog"], model="sd15", backend="diffusers",
                width=64, height=64, num_inference_steps=2, seed=3,
                score=["clip_score", "aesthetic"]).result
    assert result["failed"] == [] and result["score_failed"] == []
    dataset.reload()
    assert len(dataset) == 2
    for sample in dataset:
        for metric_id in ("clip_score", "aesthetic"):
            assert metric(metric_id).in_range(sample.scores[metric_id])
            assert sample.scoring[metric_id].version == metric(metric_id).version
    # a later score run finds them scored
    again = foo.get_operator(SCORE)(dataset, metrics=["clip_score"]).result
    assert again["skipped"] == {"clip_score": 2} and again["scored"] == {"clip_score": 0}


def test_delegated_shards_score_disjoint_halves(dataset, tmp_path):
    from tests.test_batches import Workers, run_queued_shards

    dataset.persistent = True
    images(dataset, tmp_path, count=4)
    op = foo.get_operator(SCORE)
    with pytest.raises(ValueError, match="delegate=True"):
        op(dataset, metrics=["aesthetic"], shards=2)
    queued = op(dataset, metrics=["aesthetic"], shards=2, delegate=True)
    workers = Workers(tmp_path)
    try:
        ids, service = run_queued_shards(queued, workers)
    finally:
        workers.stop_all()
    results = [service.get(i).result.result for i in ids]
    assert [r["scored"] for r in results] == [{"aesthetic": 2}, {"aesthetic": 2}]
    dataset.reload()
    assert None not in dataset.values("scores.aesthetic")


def test_the_form_is_built_from_the_declarations(dataset, tmp_path):
    import asyncio

    from fiftyone.operators.executor import resolve_type
    from fiftyone.operators.registry import OperatorRegistry

    images(dataset, tmp_path, count=1)

    def form(params):
        request = {"dataset_name": dataset.name, "params": params}
        return asyncio.run(resolve_type(OperatorRegistry(), SCORE, request)).type.properties

    props = form({"metrics": ["clip_score"]})
    offered = [c.value for c in props["metrics"].view.choices]
    assert offered == ALL
    assert "Scores 1 sample with CLIPScore" in props["summary"].view.label
    assert {"frames", "batch_size", "rescore", "shards"} <= set(props)
    bad = form({"metrics": ["clip_score"], "frames": 0})
    assert bad["frames"].invalid and "frames must be between 1 and 64" in (
        bad["frames"].error_message)
    # the generation form offers the same metrics to score as you generate
    request = {"dataset_name": dataset.name, "params": {"models": ["sdxl"], "prompt": "x"}}
    txt2img = asyncio.run(resolve_type(OperatorRegistry(), "@multigen/generate/txt2img",
                                       request)).type.properties
    assert [c.value for c in txt2img["score"].view.choices] == ALL


def test_scoring_keeps_the_plugin_import_light():
    import subprocess
    import sys

    code = ("import sys, fiftyone.operators as foo\n"
            f"op = foo.get_operator('{SCORE}')\n"
            "op.list_metrics()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('torch', 'transformers', 'diffusers')))\n")
    out = subprocess.run([sys.executable, "-c", code], env=os.environ.copy(),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_metric_whose_weights_are_missing_fails_alone(dataset, tmp_path, monkeypatch):
    """A hub cache holding CLIP ViT-L/14 but not PickScore, offline: PickScore
    fails on each sample with the loader's reason, tried once; CLIPScore
    scores them all."""
    from tests.tiny import hub_cache
    from tests.tiny.scorers import CLIP_L14, install_scorers

    partial = tmp_path / "hub"
    install_scorers(partial)
    shutil.rmtree(hub_cache.repo_storage_folder(partial, "yuvalkirstain/PickScore_v1"))
    hub_cache.use_hub_cache(partial, monkeypatch)
    scorers = plugin_module("scores.scorers")
    monkeypatch.setattr(scorers, "_LOADED", {})  # nothing loaded from the full cache
    images(dataset, tmp_path, count=3)
    result = foo.get_operator(SCORE)(dataset, metrics=["clip_score", "pick_score"],
                                     batch_size=1).result
    assert result["scored"] == {"clip_score": 3, "pick_score": 0}
    assert [f["metric"] for f in result["failed"]] == ["pick_score"] * 3
    assert all("PickScore could not load its model" in f["error"]
               for f in result["failed"])
    assert CLIP_L14 in str(scorers._LOADED)  # CLIP came from the partial cache


def test_a_mesh_is_scored_on_its_turntable_as_it_is_generated(dataset, monkeypatch):
    """txt2mesh through the Replicate protocol server, as a user runs it:
    the mesh sample (not its preview) gets scores from the preview's frames."""
    from tests.test_text_to_3d import servers_for_3d

    with servers_for_3d(monkeypatch):
        result = foo.get_operator("@multigen/generate/txt2mesh")(
            dataset, prompt="a mug", model="shap-e", backend="replicate", frame_size=64,
            score=["clip_score", "aesthetic"]).result
    assert result["failed"] == [] and result["score_failed"] == []
    target = fo.load_dataset(result["dataset"])
    slices = {s.group.name: s for s in target.select_group_slices(_allow_mixed=True)}
    mesh, preview = slices["mesh"], slices["preview"]
    for metric_id in ("clip_score", "aesthetic"):
        assert metric(metric_id).in_range(mesh.scores[metric_id])
        assert mesh.scoring[metric_id].pictures == 4  # the turntable's frames
    assert preview.get_field("scores") is None
