"""Bring a selected image to life in the App: the video lands in a grouped
dataset beside its source image."""

import os
import re

import fiftyone as fo

from .ui import expect

OPERATOR = "Generate videos from images"


def test_img2video_from_a_selected_image(app, source_images):
    name = source_images.name
    app.open_dataset(name)
    app.expect_grid_images(2)
    app.select_tile(0)
    app.open_operator(OPERATOR)
    # the defaults a person meets: SVD XT, hosted (no GPU here)
    app.expect_models(["Stable Video Diffusion XT (25 frames)"])
    svd = app.section("Stable Video Diffusion XT (25 frames)")
    assert app.value("Run on", svd) == "replicate"
    app.fill("Prompt", "the sun rises slowly")
    app.fill("Seed", 9)
    app.expect_summary("This run makes 1 output with Stable Video Diffusion XT")
    app.shot("img2video-form")
    app.execute()

    message = app.expect_notice("Generated 1 video")
    # it says where the video went, and counts as the App does (groups)
    assert "Generated 1 video (1 group, 2 samples" in message
    assert f"the dataset {name}-videos, now open" in message
    app.close_progress()
    # the App switches to the videos dataset: one group, image beside video
    expect(app.page).to_have_url(re.compile(rf"/datasets/{re.escape(name)}-videos"),
                                 timeout=60_000)
    app.expect_grid_images(1)

    videos = fo.load_dataset(f"{name}-videos")
    view = videos.select_group_slices(_allow_mixed=True)
    assert sorted(view.values("group.name")) == ["image", "video"]
    (video,) = view.match(fo.ViewField("group.name") == "video")
    assert video.filepath.endswith(".mp4") and os.path.isfile(video.filepath)
    gen = video.generation
    assert (gen.model, gen.backend, gen.prompt, gen.seed) == (
        "svd-xt", "replicate", "the sun rises slowly", 9)
    (image,) = view.match(fo.ViewField("group.name") == "image")
    assert image.filepath == source_images.first().filepath

    app.open_first_sample()
    app.expect_video_plays()
    app.shot("img2video-group")


def test_img2video_on_a_dataset_without_images_cannot_run(app, dataset_name):
    """Nothing to make videos from: the form says so where a person looks,
    Execute stays off, and no traceback is ever shown."""
    fo.Dataset(dataset_name, persistent=True)
    app.open_dataset(dataset_name)
    app.open_operator(OPERATOR)
    app.expect_error("Source images", "no image samples to use")
    expect(app.execute_button).to_be_disabled()
    app.shot("img2video-no-sources")
    app.close_form()
