"""3D in the App: meshes from images (two models compared on the same
pictures) and from text (an image model, then a 3D model)."""

import os
import re

import fiftyone as fo

from .ui import expect


def mesh_groups(name):
    dataset = fo.load_dataset(name)
    dataset.reload()  # the App's process changed it (this one may hold it)
    return dataset, dataset.select_group_slices(_allow_mixed=True)


def test_img2mesh_compares_two_models_on_the_images(app, source_images):
    name = source_images.name
    app.open_dataset(name)
    app.expect_grid_images(2)
    app.open_operator("Generate 3D from images")
    app.expect_models(["Stable Fast 3D"])
    app.choose_models(["Stable Fast 3D", "Stable Point Aware 3D"])
    app.expect_summary("This run makes 4 outputs with Stable Fast 3D, Stable Point Aware 3D")
    app.shot("img2mesh-form")
    app.execute()

    message = app.expect_notice("Generated")
    # where the meshes went, counted as the App counts them (groups)
    assert f"the dataset {name}-3d, now open" in message
    assert "Generated 4 meshes (4 groups, 12 samples" in message
    app.close_progress()
    dataset, view = mesh_groups(f"{name}-3d")
    meshes = view.match(fo.ViewField("group.name") == "mesh")
    assert len(meshes) == 4
    assert sorted(meshes.values("generation.model")) == [
        "stable-fast-3d", "stable-fast-3d", "stable-point-aware-3d",
        "stable-point-aware-3d"]
    for sample in meshes:
        assert os.path.isfile(sample.filepath)
    # the two models' meshes of one picture share a comparison key
    assert len(set(meshes.values("generation.compare_key"))) == 2
    app.expect_grid_images(4)
    # each tile says what it shows: its slice's name, as a label
    expect(app.tiles.first.get_by_text("mesh", exact=True).first).to_be_visible()
    app.shot("img2mesh-grid")
    app.open_first_sample()
    app.expect_3d_viewer()
    app.shot("img2mesh-group")
    # the group's thumbnails carry their slice's name (the App titles them)
    titles = app.modal.locator("[data-cy=thumbnail-title]")
    expect(titles.filter(has_text="image")).not_to_have_count(0)
    # the provenance a person reads first comes first in the sidebar
    entries = app.modal.locator('[data-cy^="sidebar-entry-generation."]')
    expect(entries.first).to_have_attribute("data-cy", "sidebar-entry-generation.model_label")


def test_txt2mesh_draws_an_image_then_builds_its_mesh(app, dataset_name):
    fo.Dataset(dataset_name, persistent=True)
    app.open_dataset(dataset_name)
    app.open_operator("Generate 3D from text")
    app.choose_models(["Text → image → 3D"])
    chain = app.section("Text → image → 3D")
    assert app.value("Image model", chain) == "flux-schnell"
    assert app.value("3D model", chain) == "stable-fast-3d"
    # the chooser shows models by name, with whether they can run
    expect(app.row("Image model", chain).get_by_text(
        re.compile(r"^FLUX\.1 \[schnell\] · flux-schnell · .* — ready$"))).to_be_visible()
    # only the image model's backends (and auto) are offered
    app.row("Image model runs on", chain).get_by_role("combobox").first.click()
    offered = app.page.get_by_role("listbox").get_by_role("option")
    expect(offered).to_have_count(3)  # auto, Replicate, Local (diffusers)
    offered.first.click()  # auto, as it was (Escape would close the form)
    expect(app.page.get_by_role("listbox")).to_have_count(0)
    app.fill("Prompt", "a teapot")
    app.expect_summary("This run makes 1 output with Text → image → 3D")
    app.shot("txt2mesh-form")
    app.execute()

    app.expect_notice("Generated")
    app.close_progress()
    dataset, view = mesh_groups(dataset_name)  # empty: the groups go in it
    assert sorted(view.values("group.name")) == ["image", "mesh", "preview"]
    (mesh,) = view.match(fo.ViewField("group.name") == "mesh")
    assert mesh.generation.model == "via-image" and mesh.generation.prompt == "a teapot"
    app.expect_grid_images(1)
    app.open_first_sample()
    app.expect_3d_viewer()
    app.shot("txt2mesh-group")
