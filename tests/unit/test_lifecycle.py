"""Dated lifecycle: a model with an announced shutdown shows the date until
then, and is retired by itself from that date on. "Today" is set by
``catalog.as_of`` (or ``MULTIGEN_TODAY``), never read from the clock here."""

import os
import sys
from types import SimpleNamespace

import pytest

from tests.conftest import REPO
from tests.unit.conftest import module

catalog = module("core.catalog")
forms = module("core.forms")
parse = module("core.request").parse
TextToImage = module("text_to_image.operator").TextToImage
chain = module("text_to_3d.chain")

BEFORE, ON, AFTER = "2026-11-29", "2026-12-01", "2027-01-15"
SHUTTING = ("gpt-image-1.5", "gpt-image-1-mini")


@pytest.mark.parametrize("model_id", SHUTTING)
def test_before_the_date_the_model_runs_and_says_when_it_stops(model_id, all_keys):
    model = catalog.get(model_id)
    with catalog.as_of(BEFORE):
        assert not model.retired
        assert model.lifecycle == "shuts down 2026-12-01: use gpt-image-2"
        request = parse("txt2img", {"prompt": "x", "models": [model_id]}, all_keys)
        assert request.valid, request.errors
        listed = {m["id"]: m for m in TextToImage().list_models()}[model_id]
        assert (listed["status"], listed["shutdown_on"], listed["successor"]) == (
            "available", "2026-12-01", "gpt-image-2")
        assert listed["lifecycle"] == "shuts down 2026-12-01: use gpt-image-2"
        assert model_id in {m.id for m in catalog.models("txt2img", include_retired=False)}


@pytest.mark.parametrize("day", [ON, AFTER])
@pytest.mark.parametrize("model_id", SHUTTING)
def test_from_the_date_on_the_model_is_retired_by_itself(model_id, day, all_keys):
    model = catalog.get(model_id)
    with catalog.as_of(day):
        assert model.retired and model.retirement_date == "2026-12-01"
        request = parse("txt2img", {"prompt": "x", "models": [model_id]}, all_keys)
        assert request.errors[None, "models"] == (
            f"{model_id} was retired by its provider on 2026-12-01; use gpt-image-2 instead")
        listed = {m["id"]: m for m in TextToImage().list_models()}[model_id]
        assert (listed["status"], listed["retired_on"]) == ("retired", "2026-12-01")
        assert model_id not in {m.id for m in catalog.models("txt2img", include_retired=False)}
        # a chain step refuses it too
        _, errors = chain.resolve({"image_model": model_id, "mesh_model": "stable-fast-3d"},
                                  all_keys)
        assert "retired by its provider on 2026-12-01" in errors["image_model"]


class FakeView:
    def get_field_schema(self):
        return {}


def form_labels(day, secrets):
    params = {"models": ["gpt-image-1.5"], "prompt": "x"}
    with catalog.as_of(day):
        request = parse("txt2img", params, secrets)
        ctx = SimpleNamespace(params=params, view=FakeView())
        props = forms.build(TextToImage, ctx, request, secrets).type.properties
    choices = {c.value: c for c in props["models"].view.choices}
    return choices, props


def test_the_form_shows_the_date_then_the_retirement(all_keys):
    choices, props = form_labels(BEFORE, all_keys)
    assert choices["gpt-image-1.5"].label == (
        "gpt-image-1.5 · OpenAI (shuts down 2026-12-01: use gpt-image-2)")
    assert "Shuts down 2026-12-01: use gpt-image-2" in choices["gpt-image-1.5"].description
    section = props["options"].type.properties["gpt-image-1_5"]
    assert "shuts down 2026-12-01" in section.view.label
    assert choices["gpt-image-2"].label == "gpt-image-2 · OpenAI"
    # models retired long ago are not offered at all
    assert "dall-e-3" not in choices and "gpt-image-1" not in choices
    choices, props = form_labels(ON, all_keys)
    # chosen before it retired: still listed (its chip reads as its name), marked
    assert choices["gpt-image-1.5"].label == (
        "gpt-image-1.5 · OpenAI (retired 2026-12-01: use gpt-image-2)")
    assert "[]" not in choices["gpt-image-1.5"].description
    assert "retired by its provider on 2026-12-01" in props["problems"].view.description


def test_today_comes_from_the_environment_for_other_processes(monkeypatch):
    monkeypatch.setenv("MULTIGEN_TODAY", ON)
    assert str(catalog.today()) == ON and catalog.get("gpt-image-1.5").retired
    with catalog.as_of(BEFORE):  # the innermost date wins
        assert not catalog.get("gpt-image-1.5").retired


@pytest.fixture(scope="module")
def model_table():
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    try:
        import model_table
    finally:
        sys.path.pop(0)
    return model_table


def test_the_readme_table_is_fresh_as_of_the_date_it_was_rendered(model_table):
    with open(os.path.join(REPO, "README.md")) as f:
        readme = f.read()
    as_of = model_table.readme_as_of(readme)
    assert as_of is not None
    assert model_table.readme_table(readme) == model_table.render(as_of), (
        "README model table is stale: run python scripts/model_table.py --write")


def test_the_readme_table_shows_the_shutdown_then_the_retirement(model_table):
    before = model_table.render(BEFORE)
    row = next(r for r in before.splitlines() if r.startswith("| `gpt-image-1.5`"))
    assert "OpenAI: `gpt-image-1.5`<br>**shuts down 2026-12-01**: use `gpt-image-2`" in row
    after = model_table.render(ON)
    row = next(r for r in after.splitlines() if r.startswith("| `gpt-image-1.5`"))
    assert "**retired 2026-12-01**: use `gpt-image-2`" in row
