"""Edit a selected, labelled image in the App: inpaint its detected car,
the edit lands in a grouped dataset beside its source with the labels."""

import re

import numpy as np
from PIL import Image

import fiftyone as fo

from .ui import expect

OPERATOR = "Edit images"
SD15 = "Stable Diffusion 1.5 (img2img, inpainting)"


def test_inpaint_a_selected_image_from_its_labels(app, source_images):
    name = source_images.name
    for sample in source_images:
        sample["ground_truth"] = fo.Detections(detections=[
            fo.Detection(label="sun", bounding_box=[0.34, 0.16, 0.32, 0.43])])
        sample.save()
    app.open_dataset(name)
    try:
        app.expect_grid_images(2)
    except AssertionError:
        # a freshly launched App may switch to its session's start dataset
        # once its first page connects: open ours again
        app.open_dataset(name)
        app.expect_grid_images(2)
    app.select_tile(0)
    app.open_operator(OPERATOR)
    expect(app.chips("Models")).to_have_text([SD15])
    app.fill("Prompt", "a full moon")
    app.select("Edit", "inpaint")
    app.select("Mask field", "ground_truth")
    app.fill("Mask classes", "sun")
    app.fill("Inference steps", 2, within=app.section(SD15))
    app.fill("Seed", 3)
    app.expect_summary("This run makes 1 output with " + SD15)
    app.shot("imgedit-form")
    app.execute()

    app.expect_notice("Generated 1 edit")
    app.close_progress()
    expect(app.page).to_have_url(re.compile(rf"/datasets/{re.escape(name)}-edits"),
                                 timeout=60_000)
    edits = fo.load_dataset(f"{name}-edits").select_group_slices("edit")
    (edit,) = edits
    source = source_images[edit.source_id]
    gen = edit.generation
    assert (gen.model, gen.params["mode"], gen.params["mask_classes"], gen.seed) == (
        "sd15-edit", "inpaint", "sun", 3)
    assert [d.bounding_box for d in edit.ground_truth.detections] == \
        [d.bounding_box for d in source.ground_truth.detections]
    before = np.asarray(Image.open(source.filepath).convert("RGB"))
    after = np.asarray(Image.open(edit.filepath).convert("RGB"))
    mask = np.asarray(Image.open(edit.edit_mask.mask_path)) == 255
    assert mask.any() and (after[~mask] == before[~mask]).all()
    app.shot("imgedit-group")
