"""The plugin as FiftyOne sees it: light import, listed operators, the form
built from the catalog, and the README's model table."""

import asyncio
import os
import subprocess
import sys

import pytest

import fiftyone.operators as foo
from fiftyone.operators.executor import resolve_type
from fiftyone.operators.registry import OperatorRegistry

from tests.conftest import REPO, plugin_module

OP = "@multigen/generate/txt2img"
HEAVY = ("torch", "diffusers", "transformers", "openai", "replicate", "choix")


def run_python(code):
    return subprocess.run([sys.executable, "-c", code], env=os.environ.copy(),
                          capture_output=True, text=True, timeout=300)


def test_importing_the_plugin_loads_no_heavy_module():
    code = (
        "import sys, fiftyone.operators as foo\n"
        f"op = foo.get_operator('{OP}')\n"
        "op.list_models()\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    out = run_python(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_fiftyone_lists_the_operator_and_secrets():
    fiftyone = os.path.join(os.path.dirname(sys.executable), "fiftyone")
    listed = subprocess.run([fiftyone, "operators", "list"], capture_output=True,
                            text=True, env=os.environ.copy(), timeout=300)
    assert OP in listed.stdout
    info = subprocess.run([fiftyone, "plugins", "info", "@multigen/generate"],
                          capture_output=True, text=True, env=os.environ.copy(),
                          timeout=300)
    assert "OPENAI_API_KEY" in info.stdout and "HF_TOKEN" in info.stdout


def test_readme_model_table_matches_the_catalog():
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    try:
        import model_table
    finally:
        sys.path.pop(0)
    with open(os.path.join(REPO, "README.md")) as f:
        readme = f.read()
    as_of = model_table.readme_as_of(readme)
    assert model_table.readme_table(readme) == model_table.render(as_of), (
        "README model table is stale: run python scripts/model_table.py --write")


def form(dataset, params):
    """Resolves the operator's input form as the App does."""
    registry = OperatorRegistry()
    request = {"dataset_name": dataset.name, "params": params}
    prop = asyncio.run(resolve_type(registry, OP, request))
    return prop.type.properties


def test_form_offers_every_model_but_the_retired_ones(dataset):
    props = form(dataset, {"models": ["sdxl"]})
    choices = {c.value: c.label for c in props["models"].view.choices}
    catalog = plugin_module("core.catalog")
    assert set(choices) == {m.id for m in catalog.models("txt2img", include_retired=False)}
    assert "dall-e-3" not in choices
    # one chosen all the same (an old script's params) is listed, marked retired
    props = form(dataset, {"models": ["dall-e-3"]})
    choices = {c.value: c.label for c in props["models"].view.choices}
    assert "retired 2026-05-12" in choices["dall-e-3"] and "gpt-image-2" in choices["dall-e-3"]


def test_form_builds_each_chosen_models_options_from_its_declaration(dataset, monkeypatch):
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_x0123456789")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x0123456789")
    props = form(dataset, {"models": ["sdxl", "gpt-image-2"], "prompt": "a cat",
                           "options": {"sdxl": {"backend": "replicate"}}})
    sections = props["options"].type.properties
    sdxl = sections["sdxl"].type.properties
    assert {"backend", "width", "height", "num_inference_steps", "guidance_scale"} <= set(sdxl)
    assert sdxl["width"].type.min == 64 and sdxl["width"].default == 1024
    gpt = sections["gpt-image-2"].type.properties
    assert "size" in gpt and "width" not in gpt
    # the run-level options are asked once
    assert "seed" in props and "num_images" in props
    assert props["num_images"].type.max == 8  # the smaller of the two maxima
    assert "2 outputs" in props["summary"].view.label


def test_form_flags_bad_values_and_missing_keys_with_the_fix(dataset, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    props = form(dataset, {"models": ["gpt-image-2", "sdxl"], "prompt": "",
                           "options": {"sdxl": {"backend": "diffusers", "width": 1001}}})
    assert props["prompt"].invalid
    sections = props["options"].type.properties
    backend = sections["gpt-image-2"].type.properties["backend"]
    assert backend.invalid and "OPENAI_API_KEY" in backend.error_message
    openai_choice = backend.view.choices[0]
    assert "set OPENAI_API_KEY" in openai_choice.description
    width = sections["sdxl"].type.properties["width"]
    assert width.invalid and "multiple of 8" in width.error_message
    assert "problems" in props  # and nothing would run


def test_form_keeps_dotted_model_ids_apart_from_paths(dataset, monkeypatch):
    monkeypatch.setenv("STABILITY_API_KEY", "sk-x0123456789")
    props = form(dataset, {"models": ["sd3.5-large"], "prompt": "a cat",
                           "options": {"sd3_5-large": {"backend": "stability",
                                                       "cfg_scale": 11}}})
    section = props["options"].type.properties["sd3_5-large"].type.properties
    assert section["cfg_scale"].invalid
    assert "between 1 and 10" in section["cfg_scale"].error_message


def test_sdk_rejects_unknown_options_and_models(dataset):
    op = foo.get_operator(OP)
    with pytest.raises(ValueError, match="no chosen model has option"):
        op(dataset, prompt="a cat", model=["sdxl", "gpt-image-2"], colour="red")
    with pytest.raises(ValueError, match="sdxl has no option 'colour'"):
        op(dataset, prompt="a cat", model="sdxl", backend="diffusers", colour="red")
    with pytest.raises(ValueError, match="unknown model 'sdxxl'"):
        op(dataset, prompt="a cat", model="sdxxl")
    with pytest.raises(ValueError, match="num_images must be between 1 and 8"):
        op(dataset, prompt="a cat", model="sdxl", backend="diffusers", num_images=9)
    assert len(dataset) == 0
