"""The comparison on a real FiftyOne dataset: outputs read from the
``generation`` fields, votes kept in the dataset's execution store and read
back through the SDK, and the leaderboard rows."""

import fiftyone as fo
import fiftyone.operators as foo
import pytest
from PIL import Image

from tests.conftest import plugin_module

MODELS = [("sd15", "Stable Diffusion 1.5"), ("sdxl", "Stable Diffusion XL"),
          ("flux-schnell", "FLUX.1 [schnell]")]


@pytest.fixture
def generated(dataset, tmp_path):
    samples = []
    for p, prompt in enumerate(["a cat", "a dog"]):
        for m, (model, label) in enumerate(MODELS):
            path = str(tmp_path / f"{model}-{p}.png")
            Image.new("RGB", (8, 8), (40 * m, 80, 40 * p)).save(path)
            samples.append(fo.Sample(filepath=path, generation=fo.DynamicEmbeddedDocument(
                model=model, model_label=label, backend="diffusers", prompt=prompt,
                compare_key=f"k{p}", index=0, seed=1, run_id="r1", latency_s=1.0 + m),
                scores=fo.DynamicEmbeddedDocument(clip_score=0.1 * m + 0.01 * p)))
    dataset.add_samples(samples + [fo.Sample(filepath=str(tmp_path / "source.png"))])
    dataset.add_dynamic_sample_fields()
    return dataset


def test_grid_and_pairs_read_the_dataset(generated):
    grid = plugin_module("compare.grid")
    pairs = plugin_module("compare.pairs")
    built = grid.build(generated)
    assert built.total_rows == 2 and [c for _, c in built.columns] == [
        "FLUX.1 [schnell]", "Stable Diffusion 1.5", "Stable Diffusion XL"]
    assert all(len(row["cells"]) == 3 for row in built.rows)
    assert all(cell["media_type"] == "image" for row in built.rows
               for cell in row["cells"].values())
    scored = grid.build(generated, grid.Filters(metric="clip_score", min_score=0.1))
    assert [c for c, _ in scored.columns] == ["flux-schnell", "sdxl"]
    pair = pairs.next_pair(plugin_module("compare.outputs").outputs(generated), [])
    assert pair["left"]["compare_key"] == pair["right"]["compare_key"]


def test_votes_persist_with_the_dataset_and_rate_through_the_sdk(generated):
    compare = plugin_module("compare")
    outputs = plugin_module("compare.outputs").outputs(generated)
    by_model = {o["model"]: o for o in outputs if o["compare_key"] == "k0"}
    pair = {"left": by_model["sdxl"], "right": by_model["sd15"], "compare_key": "k0",
            "prompt": "a cat"}
    for choice in ["left"] * 6 + ["right", "tie", "both_bad"]:
        compare.votes_module.cast(generated, pair, choice, voter="ana")
    with pytest.raises(ValueError, match="a vote is one of"):
        compare.votes_module.cast(generated, pair, "up")

    # another process (a notebook, a second App) sees the same votes
    reloaded = fo.load_dataset(generated.name)
    arena = foo.get_operator("@multigen/generate/arena_results")
    found = arena.votes(reloaded)
    assert len(found) == 9 and {v["voter"] for v in found} == {"ana"}
    assert [v["winner"] for v in found].count("a") == 6
    rated = arena.ratings(reloaded)
    assert [r["model"] for r in rated] == ["sdxl", "sd15"]
    assert rated[0]["wins"] == 6 and rated[0]["both_bad"] == 1
    assert rated[0]["low"] <= rated[0]["rating"] <= rated[0]["high"]
    report = arena(reloaded)
    assert report["win_rates"]["models"] == ["sd15", "sdxl"]
    assert report["win_rates"]["matrix"][1][0] == pytest.approx(7 / 9)
    assert compare.ratings(reloaded)[0]["model"] == "sdxl"

    # the operator as the App runs it: the ratings as its result
    result = foo.execute_operator("@multigen/generate/arena_results",
                                  ctx={"dataset": reloaded.name})
    assert result.error is None
    assert [r["model"] for r in result.result["ratings"]] == ["sdxl", "sd15"]

    # one vote deleted (a mistaken click)
    assert compare.votes_module.delete(generated, found[0]["id"])
    assert len(compare.votes(generated)) == 8


def test_leaderboard_rows(generated):
    rows = plugin_module("core.leaderboard").summarize(generated)
    assert [r["model"] for r in rows] == ["flux-schnell", "sdxl", "sd15"]
    assert rows[0]["outputs"] == 2 and rows[0]["median_latency_s"] == 3.0
    assert rows[0]["scores"]["clip_score"]["n"] == 2


def test_deleting_the_dataset_deletes_its_votes(generated):
    compare = plugin_module("compare")
    outputs = plugin_module("compare.outputs").outputs(generated)
    pair = plugin_module("compare.pairs").next_pair(outputs, [])
    compare.votes_module.cast(generated, pair, "tie")
    store = compare.votes_module.store(generated)
    assert len(store.list_keys()) == 1
    generated.delete()
    assert store.list_keys() == []


def test_arena_pictures_are_downscaled_jpeg_data(tmp_path):
    import base64
    import io

    thumbs = plugin_module("compare.thumbs")
    path = tmp_path / "sdxl-0.png"
    Image.new("RGBA", (2048, 1024), (10, 200, 30, 255)).save(path)
    url = thumbs.data_url(str(path))
    assert url.startswith("data:image/jpeg;base64,") and "sdxl" not in url
    with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as image:
        assert image.size == (768, 384)
