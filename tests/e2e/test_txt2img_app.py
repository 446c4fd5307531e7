"""Generate images from text in the App: the form, a run, the grid, a
comparison across models, and what the form says when something is wrong."""

import os
import time

import fiftyone as fo

from .ui import expect

OPERATOR = "Generate images from text"


def test_txt2img_form_run_and_grid(app, dataset_name):
    dataset = fo.Dataset(dataset_name, persistent=True)
    app.open_dataset(dataset_name)
    app.open_operator(OPERATOR)
    # the defaults a person meets: one model, on the backend that is ready
    app.expect_models(["FLUX.1 [schnell]"])
    flux = app.section("FLUX.1 [schnell]")
    assert app.value("Run on", flux) == "replicate"

    app.fill("Prompt", "a corgi driving a car")
    app.fill("Images", 2)
    app.fill("Seed", 51)
    app.fill("Inference steps", 2, within=flux)
    app.expect_summary("This run makes 2 outputs with FLUX.1 [schnell]")
    app.shot("txt2img-form")
    app.execute()

    assert "Generated 2 images" in app.expect_notice("Generated 2 images")
    app.close_progress()
    app.expect_sample_count(2)
    app.expect_grid_images(2)

    dataset.reload()
    assert len(dataset) == 2
    for sample in dataset:
        assert os.path.isfile(sample.filepath)
        gen = sample.generation
        assert (gen.model, gen.backend, gen.prompt) == (
            "flux-schnell", "replicate", "a corgi driving a car")
        assert gen.params["num_inference_steps"] == 2
    # the run's seed (a batched hosted call records the seed it sent)
    assert set(dataset.values("generation.seed")) <= {51, 52}


def test_txt2img_comparison_across_models_side_by_side(app, dataset_name):
    dataset = fo.Dataset(dataset_name, persistent=True)
    app.open_dataset(dataset_name)
    app.open_operator(OPERATOR)
    models = ["Stable Diffusion 1.5", "FLUX.1 [schnell]", "Stable Image Core"]
    app.choose_models(models)
    app.fill("Prompt", "a red bicycle")
    app.fill("Seed", 7)
    sd15 = app.section("Stable Diffusion 1.5")  # a tiny local pipeline
    assert app.value("Run on", sd15) == "diffusers"
    for name, value in (("Width", 64), ("Height", 64), ("Inference steps", 2)):
        app.fill(name, value, within=sd15)
    app.select("Aspect ratio", "16:9", within=app.section("Stable Image Core"))
    app.expect_summary("This run makes 3 outputs with " + ", ".join(models))
    app.shot("txt2img-compare-form")
    app.execute()

    app.expect_notice("Generated 3 images")
    app.close_progress()
    app.expect_sample_count(3)

    dataset.reload()
    assert sorted(dataset.values("generation.model")) == ["flux-schnell", "sd15",
                                                         "stable-image-core"]
    assert len(set(dataset.values("generation.compare_key"))) == 1
    # the saved comparison view: one group per prompt, one element per model
    app.open_saved_view("multigen-compare")
    app.expect_sample_count(1, noun="group")
    app.open_first_sample()
    # one page per model, in the view's order (by model id)
    app.expect_group_elements(["FLUX.1 [schnell]", "Stable Diffusion 1.5",
                               "Stable Image Core"])


def test_txt2img_form_flags_problems_and_adds_nothing(app, dataset_name):
    dataset = fo.Dataset(dataset_name, persistent=True)
    app.open_dataset(dataset_name)
    app.open_operator(OPERATOR)

    # a fresh form: nothing in red, the summary says what is missing, and
    # nothing can run yet
    expect(app.form.get_by_text("To run: enter a prompt").first).to_be_visible()
    expect(app.form.get_by_text("Required property")).to_have_count(0)
    expect(app.execute_button).to_be_disabled()

    # an option out of range, flagged on the option, with the range
    app.fill("Prompt", "a lighthouse")
    flux = app.section("FLUX.1 [schnell]")
    app.fill("Inference steps", 9, within=flux)
    app.expect_error("Inference steps", "between 1 and 4", within=flux)
    expect(app.execute_button).to_be_disabled()
    app.shot("txt2img-out-of-range")

    # a model whose key is missing (the App has no OPENAI_API_KEY): the
    # form says so and how to fix it
    app.choose_models(["gpt-image-2"])
    gpt = app.section("gpt-image-2")
    app.expect_error("Run on", "set OPENAI_API_KEY", within=gpt)
    expect(app.execute_button).to_be_disabled()
    app.shot("txt2img-missing-key")

    app.close_form()
    dataset.reload()
    assert len(dataset) == 0


def stable_image_core_form(app, dataset_name):
    """A fresh dataset, open in the App, with a filled Stable Image Core form."""
    dataset = fo.Dataset(dataset_name, persistent=True)
    app.open_dataset(dataset_name)
    app.open_operator(OPERATOR)
    app.choose_models(["Stable Image Core"])
    app.fill("Prompt", "a lighthouse at dusk")
    app.expect_summary("This run makes 1 output with Stable Image Core")
    return dataset


def test_txt2img_provider_error_is_a_readable_message(app, dataset_name, providers):
    dataset = stable_image_core_form(app, dataset_name)
    providers["stability"].fail_next("payment_required")
    app.execute()

    message = app.expect_notice("1 failed")
    assert "stable-image-core" in message and "credits" in message.lower()
    assert "Traceback" not in message and "sk-test" not in message
    app.close_progress()
    dataset.reload()
    assert len(dataset) == 0


def test_txt2img_can_be_scheduled_from_the_app(app, dataset_name, providers):
    """Execute's menu offers Schedule (with FiftyOne's setting that the
    README names): the run is queued for `fiftyone delegated launch`."""
    from fiftyone.operators.delegated import DelegatedOperationService

    dataset = stable_image_core_form(app, dataset_name)
    app.schedule()
    app.expect_notice("successfully scheduled", timeout=300_000)
    queued = []
    deadline = time.monotonic() + 120
    while not queued and time.monotonic() < deadline:
        queued = DelegatedOperationService().list_operations(dataset_name=dataset_name)
        time.sleep(0.5)
    assert len(queued) == 1 and queued[0].operator.endswith("/txt2img")
    app.shot("txt2img-scheduled")
    dataset.reload()
    assert len(dataset) == 0  # queued, not run
