"""The "Compare models" panel in the App, as a person uses it: the grid of
prompts by models, a sample opened from it, ten blind votes cast with the
keyboard, the leaderboard changing, and the votes still there after a
reload and in a second browser.

The dataset is what runs of several models leave (tiny PNGs with the
``generation`` provenance, ``scores`` and ``generation.cost`` fields), made
directly so the test spends its time in the App, not in generation."""

import re
import time

import fiftyone as fo
import pytest
from PIL import Image

from tests.conftest import plugin_module

from .conftest import SCREENSHOTS
from .ui import SLOW, AppUI, expect

MODELS = [("sd15", "Stable Diffusion 1.5", "diffusers", (200, 60, 60), None),
          ("sdxl", "Stable Diffusion XL", "replicate", (60, 160, 60), 0.0021),
          ("playground-v2.5", "Playground v2.5", "replicate", (60, 60, 200), 0.0032)]
LABELS = sorted(label for _, label, *_ in MODELS)
PROMPTS = ["a lighthouse at dusk", "a red fox in snow", "a bowl of ramen",
           "a paper boat on a lake"]
PANEL = "compare_models"
WIDE = {"width": 1800, "height": 1100}


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


def grid_images(page):
    """The grid's pictures: one per (prompt, model), named by both."""
    return page.locator("img[alt]").filter(
        has_not=page.locator("xpath=self::*[starts-with(@alt, 'left') or "
                             "starts-with(@alt, 'right')]"))


def cell(page, label, prompt):
    return page.get_by_alt_text(f"{label}: {prompt}", exact=True)


def text_box(page, label):
    """A panel's text input, found by the label a person reads above it."""
    heading = page.locator("p").filter(has_text=re.compile(rf"^\s*{re.escape(label)}"))
    return heading.first.locator("xpath=ancestor::div[.//input[not(@aria-hidden)]][1]"
                                 ).locator("input:not([aria-hidden])").first


def close_modal(app, timeout_s=60):
    """Escape closes the modal once it has the keyboard's focus (its media
    is clicked first); pressed again until it has gone."""
    deadline = time.monotonic() + timeout_s
    while app.modal.count() and time.monotonic() < deadline:
        looker = app.modal.locator("[data-cy=modal-looker-container]")
        if looker.count():
            looker.first.click()
        app.page.keyboard.press("Escape")
        app.page.wait_for_timeout(300)
    expect(app.modal).to_have_count(0)


def tab(page, name):
    page.get_by_role("button", name=name, exact=True).click()
    expect(page.get_by_role("button", name=name, exact=True)).to_have_class(
        re.compile("MuiButton-contained"), timeout=SLOW)


def votes_so_far(page, n):
    expect(page.get_by_text(re.compile(rf"\b{n} votes? so far"))).to_be_visible(timeout=SLOW)


def open_compare(app, dataset):
    """The dataset in the App, then the panel. Opening a panel changes the
    App's spaces, and the App (started on another dataset) may answer with
    its own dataset, or drop the panel when the dataset is opened again: so
    both are checked together, and set up again if either went."""
    app.page.set_viewport_size(WIDE)
    chosen = app.page.get_by_role("textbox", name="Select dataset")
    tab_label = app.page.get_by_text("Compare models", exact=True)
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        try:
            if not (chosen.count() and chosen.input_value() == dataset.name):
                app.open_dataset(dataset.name)
                app.expect_sample_count(len(dataset))
            app.dismiss_popups()
            if tab_label.count():
                tab_label.first.click()
            else:
                app.open_panel(PANEL)
            expect(app.page.get_by_text(re.compile(r"prompts? x \d+ models?"))
                   ).to_be_visible(timeout=SLOW)
        except (AssertionError, PlaywrightError):
            if attempt == 2:
                raise
            app.page.keyboard.press("Escape")  # a menu left open
            continue
        if chosen.input_value() == dataset.name and tab_label.count():
            return
    raise AssertionError(f"the App kept leaving {dataset.name} or the panel")


def test_compare_panel_grid_arena_and_leaderboard(app, generated, second_browser):
    compare = plugin_module("compare")
    page = app.page
    open_compare(app, generated)

    # the grid: one row per prompt, one column per model, each picture there
    expect(page.get_by_text("4 prompts x 3 models")).to_be_visible(timeout=SLOW)
    for label in LABELS:
        expect(page.get_by_text(label, exact=True).first).to_be_visible()
    for prompt in PROMPTS:
        for label in LABELS:
            expect(cell(page, label, prompt)).to_be_visible()
    page.wait_for_function("""() => [...document.querySelectorAll('img[alt*=": "]')]
        .every(i => i.complete && i.naturalWidth > 0)""", timeout=SLOW)
    app.shot("compare-grid")

    # a filter narrows the rows
    prompt_box = text_box(page, "Prompt contains")
    prompt_box.fill("red fox")
    expect(page.get_by_text("1 prompt x 3 models")).to_be_visible(timeout=SLOW)
    prompt_box.fill("")
    expect(page.get_by_text("4 prompts x 3 models")).to_be_visible(timeout=SLOW)
    # and the models filter picks the columns
    models_box = text_box(page, "Models")
    for label in ("Playground v2.5", "Stable Diffusion XL"):
        models_box.click()
        page.get_by_role("option", name=label, exact=True).click()
    expect(page.get_by_text("4 prompts x 2 models")).to_be_visible(timeout=SLOW)
    expect(cell(page, "Stable Diffusion 1.5", PROMPTS[0])).to_have_count(0)
    app.shot("compare-grid-two-models")
    for _ in range(2):
        models_box.press("Backspace")
    expect(page.get_by_text("4 prompts x 3 models")).to_be_visible(timeout=SLOW)

    # a picture opens its sample in the modal
    cell(page, "Stable Diffusion XL", "a bowl of ramen").click()
    expect(app.modal).to_be_visible(timeout=SLOW)
    expect(page).to_have_url(re.compile(r"[?&]id="), timeout=SLOW)
    opened = re.search(r"[?&]id=([0-9a-f]{24})", page.url).group(1)
    sample = generated[opened]
    assert (sample.generation.model, sample.generation.prompt) == ("sdxl", "a bowl of ramen")
    close_modal(app)

    # the leaderboard before any vote
    tab(page, "Leaderboard")
    expect(page.get_by_text("0 arena votes")).to_be_visible(timeout=SLOW)
    for label in LABELS:
        expect(page.get_by_role("cell", name=label, exact=True)).to_be_visible()

    # ten votes with the keyboard; the models' names show only after a vote
    tab(page, "Arena")
    votes_so_far(page, 0)
    expect(page.get_by_alt_text("left output")).to_be_visible()
    expect(page.get_by_alt_text("right output")).to_be_visible()
    for label in LABELS:
        expect(page.get_by_text(label)).to_have_count(0)
    for side in ("left", "right"):  # not even in the page's HTML
        src = page.get_by_alt_text(f"{side} output").get_attribute("src")
        assert src.startswith("data:image/jpeg;base64,")
    assert not any(model in page.content() for model, *_ in MODELS)
    app.shot("compare-arena")
    keys = text_box(page, "Vote keys")
    keys.click()
    refocused = 0
    for n, key in enumerate("1212341111", start=1):
        page.keyboard.press(key)
        votes_so_far(page, n)
        expect(page.get_by_text(re.compile(r"^Last vote .*left was .*, right was "))
               ).to_be_visible()
        if n == 1:
            app.shot("compare-arena-voted")
        if not keys.evaluate("e => e === document.activeElement"):
            refocused += 1
            keys.click()  # a person clicks the box again if it lost the focus
    print(f"vote keys box clicked again {refocused} times in 10 votes")
    stored = compare.votes(generated)
    assert len(stored) == 10
    assert {v["winner"] for v in stored} == {"a", "b", "tie", "both_bad"}
    assert all(v["model_a"] != v["model_b"] for v in stored)

    # the leaderboard now rates the models from those votes
    tab(page, "Leaderboard")
    expect(page.get_by_text("10 arena votes")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("3 models rated")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("cell", name=re.compile(r"^\d+ \[\d+, \d+\]$"))).to_have_count(
        3, timeout=SLOW)
    expect(page.locator(".js-plotly-plot")).to_have_count(4, timeout=SLOW)
    app.shot("compare-leaderboard")
    assert len(compare.ratings(generated)) == 3

    # the votes are the dataset's: after a reload, and for a second person
    page.reload(wait_until="load")
    expect(page.get_by_text("4 prompts x 3 models")).to_be_visible(timeout=SLOW)
    tab(page, "Leaderboard")
    expect(page.get_by_text("10 arena votes")).to_be_visible(timeout=SLOW)
    other = AppUI(second_browser.new_page(), app.base_url, SCREENSHOTS)
    try:
        open_compare(other, generated)
        tab(other.page, "Arena")
        votes_so_far(other.page, 10)
        other.page.get_by_role("button", name="Left is better (1)").click()
        votes_so_far(other.page, 11)
        other.shot("compare-second-browser")
    finally:
        other.page.close()
    assert len(compare.votes(generated)) == 11
