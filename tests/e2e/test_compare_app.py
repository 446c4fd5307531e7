"""The "Compare models" panel in the App, as a person uses it: the grid of
prompts by models, a sample opened from it, ten blind votes cast with the
keyboard, the leaderboard changing, and the votes still there after a
reload and in a second browser.

The dataset is what runs of several models leave (tiny PNGs with the
``generation`` provenance, ``scores`` and ``generation.cost`` fields), made
directly so the test spends its time in the App, not in generation."""

import re

import fiftyone as fo
import pytest
from PIL import Image

from tests.conftest import plugin_module

from .conftest import SCREENSHOTS
from .ui import SLOW, AppUI, expect

MODELS = [("sd15", "Stable Diffusion 1.5", "diffusers", (200, 60, 60), None),
          ("sdxl", "Stable Diffusion XL", "replicate", (60, 160, 60), 0.0021),
          ("playground-v2.5", "Playground v2.5", "replicate", (60, 60, 200), 0.0032)]
PROMPTS = ["a lighthouse at dusk", "a red fox in snow", "a bowl of ramen",
           "a paper boat on a lake"]
PANEL = "compare_models"


@pytest.fixture
def generated(dataset_name, tmp_path):
    """Three models x four prompts, one image each, as runs leave them."""
    samples = []
    for p, prompt in enumerate(PROMPTS):
        for m, (model, label, backend, colour, usd) in enumerate(MODELS):
            path = str(tmp_path / f"{model}-{p}.png")
            Image.new("RGB", (64, 64), tuple(min(255, c + 12 * p) for c in colour)).save(path)
            generation = fo.DynamicEmbeddedDocument(
                model=model, model_label=label, task="txt2img", backend=backend,
                prompt=prompt, seed=7, index=0, run_id="run-1", latency_s=1.0 + m + p / 10,
                compare_key=f"key-{p}", item_key=f"{model}-{p}",
                cost=None if usd is None else fo.DynamicEmbeddedDocument(
                    usd=usd, reported=False, basis="declared price"))
            samples.append(fo.Sample(
                filepath=path, tags=["generated", model], generation=generation,
                scores=fo.DynamicEmbeddedDocument(clip_score=0.2 + 0.05 * m + 0.01 * p)))
    dataset = fo.Dataset(dataset_name, persistent=True)
    dataset.add_samples(samples)
    dataset.add_dynamic_sample_fields()
    return dataset


def test_compare_panel_grid_arena_and_leaderboard(app, generated, second_browser):
    compare = plugin_module("compare")
    app.open_dataset(generated.name)
    panel = app.open_panel(PANEL)
    app.page.wait_for_timeout(5000)
    app.shot("compare-debug")
    with open(f"{SCREENSHOTS}/compare-debug.html", "w") as f:
        f.write(app.page.content())
