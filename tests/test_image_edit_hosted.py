"""imgedit on hosted providers, through their real clients (``openai``,
``replicate``) and plain HTTP (Stability) against the local provider servers,
which accept exactly what each provider's published schema accepts
(docs/schemas) and answer as the provider does."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

import fiftyone as fo
import fiftyone.operators as foo

from tests.providers import provider_servers
from tests.test_image_edit import BOX, edits_of, labelled, write_image  # noqa: F401

OP = "@multigen/generate/imgedit"


@pytest.fixture
def servers(monkeypatch):
    with provider_servers(monkeypatch) as servers:
        yield servers


def car_box(size):
    w, h = size
    inside = np.zeros((h, w), dtype=bool)
    inside[h // 4: h * 3 // 4, w // 4: w * 3 // 4] = True
    return inside


def edit_requests(server, path):
    return [r for r in server.requests if r.path.rstrip("/") == path]


def test_openai_edits_send_the_image_and_a_transparent_mask(servers, labelled):
    op = foo.get_operator(OP)
    view = labelled.exists("boxes")
    res = op(view, model="gpt-image-2-edit", mode="inpaint", prompt="a red bus",
             mask_field="boxes", mask_classes="car", mask_margin=0.0, quality="low")
    assert res.result["failed"] == [] and servers["openai"].errors == []
    requests = edit_requests(servers["openai"], "/v1/images/edits")
    assert len(requests) == 2
    by_path = {s.filepath: s for s in view}
    for request in requests:
        assert request.headers["content-type"].startswith("multipart/form-data")
        assert set(request.files) == {"image", "mask"}
        assert request.form["model"] == "gpt-image-2" and request.form["prompt"] == "a red bus"
        assert not {"mode", "mask_field", "mask_classes", "strength"} & set(request.form)
        source = Image.open(io.BytesIO(request.files["image"].data))
        mask = Image.open(io.BytesIO(request.files["mask"].data))
        assert mask.mode == "RGBA" and mask.size == source.size
        # fully transparent exactly where the car is: OpenAI edits there
        np.testing.assert_array_equal(np.asarray(mask)[..., 3] == 0, car_box(source.size))
    out, edits = edits_of(res.result)
    for edit in edits:
        gen = edit.generation
        assert gen.backend == "openai" and gen.provider_ref == "gpt-image-2"
        assert gen.params["mode"] == "inpaint" and gen.params["mask_classes"] == "car"
        # auto size answers 1024x1024 (here /16): not the source's size, so
        # the labels would not fit and are not copied
        assert gen.labels_copied == [] and not out.has_field("boxes")
        assert by_path[gen.source_path].id == edit.source_id
        # priced at the model's token rates, from the usage OpenAI reports
        assert gen.cost.reported and gen.cost.usd > 0


def test_openai_instruction_edit_has_no_mask_and_needs_a_prompt(servers, labelled):
    op = foo.get_operator(OP)
    with pytest.raises(ValueError, match=r"gpt-image-2 \(edits\) needs a prompt"):
        op(labelled, model="gpt-image-2-edit")
    res = op(labelled, model="gpt-image-2-edit", prompt="make it snow")
    assert res.result["failed"] == []
    requests = edit_requests(servers["openai"], "/v1/images/edits")
    assert len(requests) == 3 and all(set(r.files) == {"image"} for r in requests)


def test_stability_edits_keep_the_size_and_the_labels(servers, labelled):
    op = foo.get_operator(OP)
    view = labelled.exists("boxes")
    res = op(view, model=["stability-inpaint", "stability-search-replace", "stability-erase"],
             mode="inpaint", prompt="a red bus", mask_field="boxes", mask_classes="car",
             mask_margin=0.0, output="augment", drop_replaced_labels=True, seed=9)
    assert res.result["failed"] == [] and servers["stability"].errors == []
    server = servers["stability"]
    (inpaint, other_inpaint) = edit_requests(server, "/v2beta/stable-image/edit/inpaint")
    for request in (inpaint, other_inpaint):
        source = Image.open(io.BytesIO(request.files["image"].data))
        mask = Image.open(io.BytesIO(request.files["mask"].data))
        assert mask.mode == "L"  # white repaints
        np.testing.assert_array_equal(np.asarray(mask) == 255, car_box(source.size))
        assert request.form["prompt"] == "a red bus" and request.form["seed"] == "9"
        assert request.form["grow_mask"] == "5"
    replaces = edit_requests(server, "/v2beta/stable-image/edit/search-and-replace")
    assert len(replaces) == 2
    assert all(r.form["search_prompt"] == "car" and "mask" not in r.files for r in replaces)
    erases = edit_requests(server, "/v2beta/stable-image/edit/erase")
    assert len(erases) == 2 and all("prompt" not in r.form for r in erases)
    augmented = labelled.match_tags("augmented")
    assert len(augmented) == 6
    for edit in augmented:
        source = labelled[edit.source_id]
        with Image.open(edit.filepath) as image, Image.open(source.filepath) as original:
            assert image.size == original.size
        assert [(d.label, d.bounding_box) for d in edit.boxes.detections] == [
            ("person", source.boxes.detections[1].bounding_box)]
        assert edit.generation.labels_copied


def test_stability_search_needs_classes(servers, labelled):
    with pytest.raises(ValueError, match="finds what to edit by name: choose the classes"):
        foo.get_operator(OP)(labelled, model="stability-search-replace", mode="inpaint",
                             prompt="a bus", mask_field="boxes")


def test_replicate_instruction_editors(servers, labelled):
    op = foo.get_operator(OP)
    res = op(labelled, model=["flux-kontext-pro", "nano-banana"], prompt="make it night",
             seed=4)
    assert res.result["failed"] == [] and servers["replicate"].errors == []
    creates = [r for r in servers["replicate"].requests if r.method == "POST"
               and r.path.endswith("/predictions")]
    kontext = [r.json["input"] for r in creates if "flux-kontext-pro" in r.path]
    nano = [r.json["input"] for r in creates if "nano-banana" in r.path]
    assert len(kontext) == 3 and len(nano) == 3
    for inp in kontext:
        assert inp["input_image"].startswith("data:image/png;base64,")
        assert inp["seed"] == 4 and inp["aspect_ratio"] == "match_input_image"
        assert inp["safety_tolerance"] == 2 and "mode" not in inp
    for inp in nano:
        (image,) = inp["image_input"]
        assert image.startswith("data:image/png;base64,") and "seed" not in inp
    out, edits = edits_of(res.result)
    for edit in edits:
        source = labelled[edit.source_id]
        with Image.open(edit.filepath) as image, Image.open(source.filepath) as original:
            # the source's aspect, at the model's own resolution
            assert abs(image.size[0] / image.size[1] - original.size[0] / original.size[1]) < 0.05
        assert edit.generation.params["mode"] == "instruct"
