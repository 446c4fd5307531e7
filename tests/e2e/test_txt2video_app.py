"""Videos from text in the App: a prompt and a hosted model, the video lands
in the (empty) dataset and plays."""

import os

import fiftyone as fo

from .ui import expect

OPERATOR = "Generate videos from text"


def test_txt2video_into_an_empty_dataset(app, dataset_name):
    fo.Dataset(dataset_name, persistent=True)
    app.open_dataset(dataset_name)
    app.open_operator(OPERATOR)
    app.choose_models(["Veo 3.1"])
    veo = app.section("Veo 3.1")
    assert app.value("Run on", veo) == "replicate"
    app.fill("Prompt", "a red kite over the sea")
    app.fill("Seed", 4)
    app.expect_summary("This run makes 1 output with Veo 3.1")
    app.shot("txt2video-form")
    app.execute()

    app.expect_notice("Generated 1 video")
    app.close_progress()
    app.expect_sample_count(1)
    app.expect_grid_images(1)

    dataset = fo.load_dataset(dataset_name)
    dataset.reload()  # the App's process added the video
    (video,) = dataset
    assert video.filepath.endswith(".mp4") and os.path.isfile(video.filepath)
    gen = video.generation
    assert (gen.model, gen.backend, gen.prompt, gen.seed) == (
        "veo-3.1-t2v", "replicate", "a red kite over the sea", 4)

    app.open_first_sample()
    app.expect_video_plays()
    app.shot("txt2video-sample")
    expect(app.modal).to_be_visible()
