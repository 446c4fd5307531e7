"""The generate form as a person meets it: quiet when fresh, short (advanced
inputs folded), problems in its own words, models found by id or backend,
an optional choice cleared, and the last settings back after Escape."""

import re

import fiftyone as fo

from .conftest import SCREENSHOTS
from .ui import AppUI, contrast, expect, light_theme, model_named

OPERATOR = "Generate images from text"


def test_a_fresh_form_is_quiet_and_short(app, dataset_name):
    fo.Dataset(dataset_name, persistent=True)
    app.open_dataset(dataset_name)
    app.open_operator(OPERATOR)
    app.expect_models(["FLUX.1 [schnell]"])
    # nothing typed: nothing in red, the summary says what is missing
    expect(app.form.get_by_text("To run: enter a prompt").first).to_be_visible()
    expect(app.form.get_by_text("Required property")).to_have_count(0)
    expect(app.form.locator(".Mui-error")).to_have_count(0)
    expect(app.execute_button).to_be_disabled()
    # the advanced inputs are folded away
    expect(app.advanced_toggle).to_have_attribute("aria-expanded", "false")
    app.shot("form-fresh")

    app.fill("Prompt", "a lighthouse")
    app.expect_summary("This run makes 1 output with FLUX.1 [schnell]")
    # the summary sits above the options
    summary = app.form.get_by_text("This run makes 1 output").first.bounding_box()
    images = app.label("Images").bounding_box()
    assert summary["y"] < images["y"]

    # Shards 0: flagged with its own bounds, in the form's words, once
    app.open_advanced()
    app.fill("Shards", 0)
    app.expect_error("Shards", "Must be between 1 and 64; got 0")
    expect(app.form.get_by_text("Shards: must be between 1 and 64; got 0")).to_have_count(1)
    expect(app.execute_button).to_be_disabled()
    app.shot("form-advanced-shards")
    app.fill("Shards", 1)
    app.expect_summary("This run makes 1 output with FLUX.1 [schnell]")

    # a run option wrong for two models: said once, by its label
    app.choose_models(["FLUX.1 [schnell]", "Stable Diffusion 1.5"])
    app.fill("Images", 9)
    app.expect_error("Images", "Must be between 1 and 8; got 9")
    expect(app.form.get_by_text(re.compile(r"Images: must be between 1 and 8"))
           ).to_have_count(1)
    expect(app.form.get_by_text(re.compile(r"num_images"))).to_have_count(0)
    app.shot("form-run-option-error")


def test_models_are_found_by_id_and_where_they_run(app, dataset_name):
    fo.Dataset(dataset_name, persistent=True)
    app.open_dataset(dataset_name)
    app.open_operator(OPERATOR)
    assert any(model_named("Stable Diffusion XL").match(x) for x in app.search_models("sdxl"))
    assert any(model_named("Stable Diffusion 1.5").match(x) for x in app.search_models("sd15"))
    found = app.search_models("sd3.5")
    assert any(model_named("Stable Diffusion 3.5 Large").match(x) for x in found)
    assert any(model_named("gpt-image-2").match(x) for x in app.search_models("openai"))
    local = app.search_models("local")
    assert any(model_named("SDXS-512 (one step, CPU-friendly)").match(x) for x in local)
    assert not any(x.startswith("gpt-image") for x in local)
    # retired models are not offered
    assert not any(x.startswith("DALL-E") for x in app.search_models("dall"))
    app.shot("form-model-search")


def test_a_style_preset_can_be_cleared(app, dataset_name, providers):
    dataset = fo.Dataset(dataset_name, persistent=True)
    app.open_dataset(dataset_name)
    app.open_operator(OPERATOR)
    app.choose_models(["Stable Image Core"])
    core = app.section("Stable Image Core")
    app.fill("Prompt", "a lighthouse at dusk")
    app.select("Style preset", "anime", within=core)
    assert app.value("Style preset", core) == "anime"
    app.select("Style preset", "None", within=core)
    assert app.value("Style preset", core) == ""
    app.expect_summary("This run makes 1 output with Stable Image Core")
    sent = len(providers["stability"].requests)
    app.execute()
    app.expect_notice("Generated 1 image")
    # what reached Stability: the prompt, and no style preset
    (request,) = [r for r in providers["stability"].requests[sent:] if r.method == "POST"]
    assert request.form["prompt"] == "a lighthouse at dusk"
    assert "style_preset" not in request.form
    app.close_progress()
    dataset.reload()
    assert (dataset.first().generation.params or {}).get("style_preset") is None


def test_the_last_settings_come_back_after_escape(app, dataset_name):
    fo.Dataset(dataset_name, persistent=True)
    app.open_dataset(dataset_name)
    app.open_operator(OPERATOR)
    app.choose_models(["Stable Diffusion 1.5"])
    sd15 = app.section("Stable Diffusion 1.5")
    app.fill("Prompt", "a red bicycle")
    app.fill("Seed", 7)
    app.fill("Width", 256, within=sd15)
    app.expect_summary("This run makes 1 output with Stable Diffusion 1.5")
    app.page.keyboard.press("Escape")
    expect(app.form).to_have_count(0)

    app.open_operator(OPERATOR)
    app.expect_models(["Stable Diffusion 1.5"])
    assert app.value("Prompt") == "a red bicycle"
    assert app.value("Seed") == "7"
    assert app.value("Width", app.section("Stable Diffusion 1.5")) == "256"
    app.expect_summary("This run makes 1 output with Stable Diffusion 1.5")
    app.shot("form-remembered")


def test_six_models_make_a_form_that_says_each_thing_once(app, dataset_name):
    fo.Dataset(dataset_name, persistent=True)
    app.open_dataset(dataset_name)
    app.open_operator(OPERATOR)
    models = ["FLUX.1 [schnell]", "Stable Diffusion 1.5", "Stable Image Core",
              "gpt-image-2", "Stable Diffusion XL", "SDXL-Turbo"]
    app.choose_models(models)
    app.fill("Prompt", "a lighthouse")
    # the run's problem (no OpenAI key here) is listed once, at the top
    problems = app.form.get_by_text("Fix these before running")
    expect(problems).to_have_count(1)
    expect(app.form.get_by_text("Where this model runs")).to_have_count(0)
    expect(app.advanced_toggle).to_have_attribute("aria-expanded", "false")
    height = app.page.evaluate(
        "(sel) => document.querySelector(sel).scrollHeight", f"{app.form_body}")
    print(f"\nform height with six models at 1400 px: {height} px")
    app.shot("form-six-models")


def test_the_form_reads_in_the_dark_and_light_themes_at_1400_and_1920_px(
        app, dataset_name, second_browser):
    """Two models in the dark theme at 1920 px, then in the light theme (a
    second person's browser) at 1920 and 1400 px: every text readable (WCAG AA
    contrast), nothing wider than the form."""
    fo.Dataset(dataset_name, persistent=True)
    page = second_browser.new_page()
    light_theme(page)
    for ui, theme in ((app, "dark"), (AppUI(page, app.base_url, SCREENSHOTS), "light")):
        ui.page.set_viewport_size({"width": 1920, "height": 1080})
        ui.open_dataset(dataset_name)
        ui.open_operator(OPERATOR)
        ui.choose_models(["FLUX.1 [schnell]", "Stable Diffusion 1.5"])
        ui.fill("Prompt", "a lighthouse")
        ui.expect_summary("This run makes 2 outputs")
        background = ui.page.evaluate("getComputedStyle(document.body).backgroundColor")
        level = sum(int(x) for x in re.findall(r"\d+", background)[:3]) / 3
        assert (level > 128) == (theme == "light"), background
        for width in (1920, 1400):
            ui.page.set_viewport_size({"width": width, "height": 1080})
            texts = {"label": ui.label("Models"), "chip": ui.chips("Models").first,
                     "help": ui.form.get_by_text("One model, or several").first,
                     "summary": ui.form.get_by_text("This run makes").first,
                     "section": ui.label("Run on", ui.section("Stable Diffusion 1.5")),
                     "advanced": ui.advanced_toggle}
            for name, text in texts.items():
                assert contrast(text) >= 4.5, (theme, width, name)
            wide, room = ui.page.locator(ui.form_body).first.evaluate(
                "(f) => [f.scrollWidth, f.clientWidth]")
            assert wide <= room, (theme, width)
            ui.shot(f"form-{theme}-{width}")
