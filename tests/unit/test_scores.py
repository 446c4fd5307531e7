"""Metric declarations, the score request, and the maths (on known
embeddings: no model, no database)."""

import os

import pytest

from tests.conftest import REPO
from tests.unit.conftest import module


def metrics():
    return module("core.metrics")


def test_every_metric_is_declared_once_with_range_direction_and_weights():
    declared = module("scores").METRICS
    assert [m.id for m in declared] == ["clip_score", "pick_score", "aesthetic"]
    assert [m.id for m in metrics().metrics()] == [m.id for m in declared]
    for metric in declared:
        assert metric.label and metric.measures and metric.caveats and metric.typical
        assert metric.higher_is_better
        assert metric.repo in metric.version and metric.revision in metric.version
        assert metric.version.startswith(f"{metric.id}/{metric.formula} ")
        if metric.min is not None and metric.max is not None:
            assert metric.min < metric.max
    clip, pick, aesthetic = declared
    assert (clip.min, clip.max) == (0, 100)
    assert (pick.min, pick.max) == (-100, 100)
    assert aesthetic.min is None and aesthetic.max is None  # its head is unbounded
    assert not aesthetic.uses_prompt and clip.uses_prompt and pick.uses_prompt
    assert "trl-lib/ddpo-aesthetic-predictor/aesthetic-model.pth" in aesthetic.version


def test_every_repo_is_cited_in_the_research_notes():
    with open(os.path.join(REPO, "docs", "metrics-research.md")) as f:
        notes = f.read()
    for metric in module("scores").METRICS:
        for repo in filter(None, (metric.repo, metric.processor_repo, metric.head_repo)):
            assert f"`{repo}`" in notes, repo


def test_metric_ids_parse_from_lists_and_text():
    parse = metrics().parse_ids
    assert parse(None) == [] and parse("") == []
    assert parse("clip_score, aesthetic") == ["clip_score", "aesthetic"]
    assert parse(["pick_score"]) == ["pick_score"]
    with pytest.raises(ValueError, match="unknown metric 'fid'; known: aesthetic"):
        parse(["fid"])
    with pytest.raises(ValueError, match="chosen twice"):
        parse("aesthetic aesthetic")


def test_the_score_request_flags_each_bad_value():
    parse = module("scores.request").parse
    good = parse({"metrics": ["clip_score"], "frames": 4, "rescore": "true"})
    assert good.valid and good.frames == 4 and good.rescore is True
    assert good.batch_size == 32 and good.shards == 1
    bad = parse({"metrics": [], "frames": 0, "batch_size": "x", "shards": 100})
    assert set(bad.errors) == {(None, "metrics"), (None, "frames"), (None, "batch_size"),
                               (None, "shards")}
    assert "choose at least one metric" in bad.error_text()


def test_generation_requests_take_metrics_to_score(no_keys):
    parse = module("core.request").parse
    request = parse("txt2img", {"models": ["sdxl"], "prompt": "a cat",
                                "score": ["clip_score"], "options": {
                                    "sdxl": {"backend": "replicate"}}}, no_keys,
                    check_ready=False)
    assert request.score == ["clip_score"]
    bad = parse("txt2img", {"models": ["sdxl"], "prompt": "a cat", "score": "nope"},
                no_keys, check_ready=False)
    assert "unknown metric 'nope'" in bad.errors[None, "score"]
    assert module("core.sdk").params_of("sdxl", "a cat", score=["aesthetic"])[
        "score"] == ["aesthetic"]


def test_clip_score_is_100_times_the_clamped_cosine():
    torch = pytest.importorskip("torch")
    scorers = module("scores.scorers")
    image = torch.tensor([[1.0, 0.0], [1.0, 0.0], [3.0, 4.0], [1.0, 1.0]])
    text = torch.tensor([[2.0, 0.0], [-1.0, 0.0], [4.0, 3.0], [1.0, -1.0]])
    values = scorers.clip_score(image, text)
    # cos: 1, -1 (clamped to 0), 24/25, 0
    assert values.tolist() == pytest.approx([100.0, 0.0, 96.0, 0.0], abs=1e-4)


def test_pick_score_scales_the_cosine_by_the_logit_scale_capped_at_100():
    torch = pytest.importorskip("torch")
    scorers = module("scores.scorers")
    image = torch.tensor([[3.0, 4.0], [1.0, 0.0]])
    text = torch.tensor([[4.0, 3.0], [-1.0, 0.0]])
    scale = torch.tensor(2.0).log()
    assert scorers.pick_score(image, text, scale).tolist() == pytest.approx(
        [1.92, -2.0], abs=1e-4)
    huge = torch.tensor(1000.0).log()  # never beyond CLIP's cap
    assert scorers.pick_score(image, text, huge).tolist() == pytest.approx(
        [96.0, -100.0], abs=1e-3)


def test_frames_are_spread_evenly_and_shards_do_not_overlap():
    pictures = module("scores.pictures")
    assert pictures.evenly(3, 8) == [0, 1, 2]
    assert pictures.evenly(10, 4) == [0, 3, 6, 9]
    assert pictures.evenly(10, 1) == [5]
    scoring = module("scores.scoring")
    targets = [{"id": f"{i:02d}"} for i in range(7)]
    halves = [scoring.shard(targets, i, 2) for i in range(2)]
    assert sorted(t["id"] for h in halves for t in h) == [t["id"] for t in targets]
    assert not {t["id"] for t in halves[0]} & {t["id"] for t in halves[1]}


def test_hub_commits_are_read_from_cache_paths():
    commit_of = module("scores.scorers").commit_of
    assert commit_of("/c/models--a--b/snapshots/abc123/config.json") == "abc123"
    assert commit_of("/local/folder/config.json") is None


def test_batches_count_a_video_as_its_frames():
    batches = module("scores.scoring")._batches
    targets = [{"media_type": "image"}] * 5 + [{"media_type": "video"}] + [
        {"media_type": "image"}]
    sizes = [len(b) for b in batches(targets, batch_size=4, frames=3)]
    assert sizes == [4, 2, 1]  # 4 images; an image and a video (1 + 3); an image


def test_readme_metrics_table_matches_the_declarations():
    with open(os.path.join(REPO, "README.md")) as f:
        readme = f.read()
    table = readme.split("<!-- metrics:begin -->\n", 1)[1].split("\n<!-- metrics:end -->")[0]
    assert table == module("scores.metrics").markdown_table(), (
        "README metrics table is stale: run python scripts/metric_table.py --write")


def test_the_prompt_cache_starts_over_when_full(monkeypatch):
    torch = pytest.importorskip("torch")
    scorers = module("scores.scorers")
    monkeypatch.setattr(scorers, "TEXT_CACHE", 3)

    class Tokens(dict):
        def to(self, device):
            return self

    clip = scorers.Clip.__new__(scorers.Clip)
    clip.device, clip._torch, clip._texts = "cpu", torch, {}
    clip.processor = lambda text, **kw: {"input_ids": torch.tensor(
        [[len(t)] for t in text])}
    clip.model = type("M", (), {"get_text_features": staticmethod(
        lambda input_ids: input_ids.float())})()
    assert clip.texts(["a", "bb"]).tolist() == [[1.0], [2.0]]
    assert clip.texts(["ccc", "a", "dddd"]).tolist() == [[3.0], [1.0], [4.0]]
    assert set(clip._texts) == {"ccc", "a", "dddd"}
