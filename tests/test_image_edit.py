"""imgedit end to end: selected image samples -> edits, through FiftyOne's
operator machinery, with tiny random-weight pipelines under the real repo
ids (offline hub cache): variations, inpainting from labels, augmentation
with copied labels, per-sample failures, resume, delegated shards."""

import os

import numpy as np
import pytest
from PIL import Image

import fiftyone as fo
import fiftyone.operators as foo

from tests.conftest import HUB_CACHE
from tests.test_batches import Workers, run_queued_shards
from tests.tiny.fixtures import one_torch_thread  # noqa: F401  (autouse)

OP = "@multigen/generate/imgedit"
TINY = dict(num_inference_steps=2)
BOX = [0.25, 0.25, 0.5, 0.5]  # the car in every image


@pytest.fixture(scope="module", autouse=True)
def tiny_models():
    from tests.tiny.image_edit import install_image_edit

    install_image_edit(HUB_CACHE)


def write_image(path, size, seed):
    rng = np.random.RandomState(seed)
    w, h = size
    pixels = (rng.rand(h, w, 3) * 255).astype("uint8")
    Image.fromarray(pixels).save(path)
    return str(path)


@pytest.fixture
def labelled(dataset, tmp_path):
    """Three labelled images of two sizes: detections (car, person), a
    segmentation (1: road, 2: sky); the third has no detections field."""
    dataset.default_mask_targets = {1: "road", 2: "sky"}
    samples = []
    for i, size in enumerate([(96, 64), (64, 80), (72, 72)]):
        w, h = size
        seg = np.zeros((h, w), dtype=np.uint8)
        seg[h // 2:, :] = 1
        seg[: h // 4, :] = 2
        sample = fo.Sample(filepath=write_image(tmp_path / f"street{i}.png", size, i),
                           ground_truth=fo.Segmentation(mask=seg),
                           weather=fo.Classification(label="sunny"))
        if i < 2:
            sample["boxes"] = fo.Detections(detections=[
                fo.Detection(label="car", bounding_box=BOX),
                fo.Detection(label="person", bounding_box=[0.05, 0.1, 0.1, 0.2])])
        samples.append(sample)
    dataset.add_samples(samples)
    yield dataset
    if fo.dataset_exists(f"{dataset.name}-edits"):
        fo.delete_dataset(f"{dataset.name}-edits")


def pixels(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).astype(int)


def edits_of(result):
    out = fo.load_dataset(result["dataset"])
    return out, out.select_group_slices("edit")


@pytest.mark.parametrize("model", ["sd15-edit", "sdxl-edit"])
def test_variations_keep_size_labels_and_record_how(labelled, model):
    op = foo.get_operator(OP)
    res = op(labelled, model=model, prompt="the same street in snow", seed=7,
             strength=0.5, **TINY)
    assert res.result["failed"] == []
    out, edits = edits_of(res.result)
    assert out.name == f"{labelled.name}-edits" and len(edits) == 3
    by_id = {s.id: s for s in labelled}
    for edit in edits:
        source = by_id[edit.source_id]
        group = out.get_group(edit.group.id)
        assert set(group) == {"image", "edit"} and group["image"].filepath == source.filepath
        with Image.open(edit.filepath) as image:
            assert image.size == (source.metadata.width if source.metadata else
                                  Image.open(source.filepath).size[0],
                                  Image.open(source.filepath).size[1])
        # the source's labels, same coordinates
        assert edit.ground_truth.mask.tolist() == source.ground_truth.mask.tolist()
        assert edit.weather.label == "sunny"
        if source.has_field("boxes") and source.boxes is not None:
            assert [d.bounding_box for d in edit.boxes.detections] == \
                [d.bounding_box for d in source.boxes.detections]
        gen = edit.generation
        assert gen.task == "imgedit" and gen.model == model and gen.backend == "diffusers"
        assert gen.params["mode"] == "variation" and gen.params["strength"] == 0.5
        assert gen.params["mask_field"] is None
        assert gen.source_id == source.id and gen.source_dataset == labelled.name
        assert set(gen.labels_copied) == ({"ground_truth", "weather", "boxes"}
                                          if source.boxes is not None
                                          else {"ground_truth", "weather"})
        assert gen.seed == 7


def test_inpainting_from_detections_repaints_only_the_mask(labelled):
    op = foo.get_operator(OP)
    res = op(labelled, model="sd15-edit", mode="inpaint", prompt="a red bus",
             mask_field="boxes", mask_classes=["car"], mask_margin=0.0, seed=3, **TINY)
    # the third sample has no detections: listed, the rest goes on
    (failure,) = res.result["failed"]
    assert "has no 'boxes'" in failure["error"] and failure["source"].endswith("street2.png")
    out, edits = edits_of(res.result)
    assert len(edits) == 2
    for edit in edits:
        source = labelled[edit.source_id]
        before, after = pixels(source.filepath), pixels(edit.filepath)
        h, w = before.shape[:2]
        inside = np.zeros((h, w), dtype=bool)
        inside[h // 4: h * 3 // 4, w // 4: w * 3 // 4] = True  # the car's box
        mask = np.asarray(Image.open(edit.edit_mask.mask_path)) == 255
        np.testing.assert_array_equal(mask, inside)
        np.testing.assert_array_equal(after[~inside], before[~inside])  # kept exactly
        assert np.abs(after[inside] - before[inside]).mean() > 1  # repainted
        gen = edit.generation
        assert gen.params["mode"] == "inpaint" and gen.params["strength"] == 1.0
        assert gen.params["mask_field"] == "boxes" and gen.params["mask_classes"] == "car"
        assert gen.mask_path == edit.edit_mask.mask_path


def test_bad_masks_are_per_sample_failures(labelled, tmp_path):
    # an empty mask (no 'bus' anywhere), then a segmentation of another size
    op = foo.get_operator(OP)
    res = op(labelled, model="sd15-edit", mode="inpaint", mask_field="boxes",
             mask_classes="bus", **TINY)
    assert len(res.result["failed"]) == 3 and res.result["sample_ids"] == []
    errors = sorted(f["error"] for f in res.result["failed"])
    assert sum("is empty" in e for e in errors) == 2 and "has no 'boxes'" in errors[-1]
    sample = labelled.first()
    sample.ground_truth = fo.Segmentation(mask=np.ones((10, 10), dtype=np.uint8))
    sample.save()
    res = op(labelled.select(sample.id), model="sd15-edit", mode="inpaint",
             mask_field="ground_truth", mask_classes="road", **TINY)
    (failure,) = res.result["failed"]
    assert "is 10x10 but the image is 96x64" in failure["error"]
    with pytest.raises(ValueError, match="inpainting needs a mask"):
        op(labelled, model="sd15-edit", mode="inpaint")
    with pytest.raises(ValueError, match="'weather' is not a Segmentation, Detections"):
        op(labelled, model="sd15-edit", mode="inpaint", mask_field="weather")
    with pytest.raises(ValueError, match="mode must be one of variation, inpaint"):
        op(labelled, model="sd15-edit", mode="instruct", prompt="make it snow")
    grouped = fo.Dataset()
    grouped.add_group_field("group", default="image")
    try:
        with pytest.raises(ValueError, match="this one is grouped: choose grouped"):
            op(grouped, model="sd15-edit", output="augment")
    finally:
        grouped.delete()


def test_augmentation_adds_linked_samples_with_labels(labelled):
    op = foo.get_operator(OP)
    view = labelled.exists("boxes")
    res = op(view, model="sd15-edit", mode="inpaint", prompt="a bicycle",
             mask_field="boxes", mask_classes="car", output="augment",
             drop_replaced_labels=True, seed=1, **TINY)
    assert res.result["failed"] == [] and res.result["dataset"] == labelled.name
    augmented = labelled.match_tags("augmented")
    assert len(labelled) == 5 and len(augmented) == 2
    for edit in augmented:
        source = labelled[edit.source_id]
        assert "augmented" not in source.tags
        # the car was replaced: its label is gone; the person keeps its box
        assert [(d.label, d.bounding_box) for d in edit.boxes.detections] == [
            ("person", source.boxes.detections[1].bounding_box)]
        assert edit.ground_truth.mask.tolist() == source.ground_truth.mask.tolist()
        assert edit.boxes.detections[0].id != source.boxes.detections[1].id
    # resuming the same request makes nothing new
    again = op(view, model="sd15-edit", mode="inpaint", prompt="a bicycle",
               mask_field="boxes", mask_classes="car", output="augment",
               drop_replaced_labels=True, seed=1, **TINY)
    assert again.result["skipped"] == 2 and again.result["sample_ids"] == []
    assert len(labelled) == 5


def test_sharded_delegated_run_edits_each_source_once(labelled, tmp_path):
    labelled.persistent = True
    op = foo.get_operator(OP)
    res = op(labelled, model="sd15-edit", prompt="at dusk", seed=5, shards=2,
             delegate=True, **TINY)
    workers = Workers(tmp_path)
    try:
        run_queued_shards(res, workers)
    finally:
        workers.stop_all()
    out, edits = edits_of({"dataset": f"{labelled.name}-edits"})
    assert sorted(edits.values("source_id")) == sorted(labelled.values("id"))
    assert len(set(edits.values("generation.item_key"))) == 3


def test_flux_kontext_edits_by_instruction_and_inpaints(labelled):
    """One loaded Kontext pipeline serves both modes (the inpainting one is
    made with ``from_pipe``, sharing its weights)."""
    op = foo.get_operator(OP)
    view = labelled.exists("boxes")
    res = op(view, model="flux-kontext-dev", prompt="make it snow", seed=2, **TINY)
    assert res.result["failed"] == []
    res = op(view, model="flux-kontext-dev", mode="inpaint", prompt="a red bus",
             mask_field="boxes", mask_classes="car", seed=2, **TINY)
    assert res.result["failed"] == []
    out, edits = edits_of(res.result)
    modes = sorted(edits.values("generation.params.mode"))
    assert modes == ["inpaint", "inpaint", "instruct", "instruct"]
    for edit in edits:
        source = labelled[edit.source_id]
        with Image.open(edit.filepath) as image, Image.open(source.filepath) as original:
            assert image.size == original.size
        assert edit.generation.params["strength"] == (
            1.0 if edit.generation.params["mode"] == "inpaint" else None)
    from tests.conftest import plugin_module

    diffusers_local = plugin_module("core.backends.diffusers_local")
    (entry,) = [e for e in diffusers_local.RESIDENCY.entries.values()
                if e.key[1] == "black-forest-labs/FLUX.1-Kontext-dev"]
    inpaint = entry.pipe._multigen_modes["FluxKontextInpaintPipeline"]
    assert inpaint.transformer is entry.pipe.transformer  # the same weights


def test_form_offers_mask_fields_and_flags_what_to_fix(labelled):
    import asyncio

    from fiftyone.operators.executor import resolve_type
    from fiftyone.operators.registry import OperatorRegistry

    def form(params):
        prop = asyncio.run(resolve_type(OperatorRegistry(), OP, {
            "dataset_name": labelled.name, "params": params}))
        return prop.type.properties

    props = form({"models": ["sd15-edit"], "mode": "inpaint"})
    assert props["mask_field"].invalid and "needs a mask" in props["mask_field"].error_message
    assert [c.value for c in props["mask_field"].view.choices] == ["ground_truth", "boxes"]
    assert list(props)[-3:] == ["output", "drop_replaced_labels", "problems"]
    props = form({"models": ["sd15-edit"], "mode": "inpaint", "mask_field": "weather"})
    assert "not a Segmentation, Detections" in props["mask_field"].error_message
    props = form({"models": ["sd15-edit", "flux-kontext-dev"], "mode": "variation"})
    assert "mode must be one of instruct, inpaint" in props["mode"].error_message


def test_a_packed_batch_edits_each_source_as_alone(dataset, tmp_path):
    """Two same-size sources share one pipeline call; each edit matches the
    edit of its source run alone with the same seed (within the tolerance
    the README gives across batch sizes), so no source's edit is another's."""
    paths = [write_image(tmp_path / f"same{i}.png", (64, 48), 10 + i) for i in range(2)]
    dataset.add_samples([fo.Sample(filepath=p) for p in paths])
    op = foo.get_operator(OP)
    run = dict(model="sd15-edit", prompt="a watercolour", seed=11, strength=0.6, **TINY)
    alone = {}
    try:
        for sample in dataset:
            res = op(dataset.select(sample.id), **run)
            _, (edit,) = edits_of(res.result)
            alone[sample.id] = pixels(edit.filepath)
            # the same request again would be skipped as made: start afresh
            fo.delete_dataset(res.result["dataset"])
        packed = op(dataset, **run)
        _, packed_edits = edits_of(packed.result)
        assert len(packed_edits) == 2
        for edit in packed_edits:
            diff = np.abs(pixels(edit.filepath) - alone[edit.source_id])
            assert diff.max() <= 8 and diff.mean() <= 1.0
        a, b = (alone[s.id] for s in dataset)
        assert np.abs(a - b).mean() > 5  # the two sources give different edits
    finally:
        if fo.dataset_exists(f"{dataset.name}-edits"):
            fo.delete_dataset(f"{dataset.name}-edits")
