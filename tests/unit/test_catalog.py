"""The catalog: models declared once, capabilities declared on backends."""

import pytest

from tests.unit.conftest import module

catalog = module("core.catalog")


def test_every_task_registers_its_models_explicitly():
    plugin = module("")  # the package itself
    for task in plugin.TASKS:
        assert task.MODELS and task.OPERATORS
        for model in task.MODELS:
            assert catalog.get(model.id) is model
    assert {m.task for m in catalog.models()} == set(catalog.TASKS)


def test_registering_the_same_declarations_again_changes_nothing():
    model = catalog.get("sdxl")
    catalog.register(model)
    assert catalog.get("sdxl") is model
    clash = catalog.Model("sdxl", "Another", "txt2img")
    with pytest.raises(ValueError, match="declared twice"):
        catalog.register(clash)


def test_a_model_takes_a_seed_when_a_backend_does():
    # declared on the backend, not probed and not repeated on the model
    assert catalog.get("sdxl").seeded
    assert not catalog.get("gpt-image-2").seeded  # the Images API takes none
    assert "seed" not in {p.name for p in catalog.get("gpt-image-2").all_params}
    assert not catalog.get("stable-fast-3d").seeded
    assert not catalog.get("kling-v2.1").seeded


def test_prompt_capabilities_are_declared():
    svd = catalog.get("svd-xt")
    assert not any(b.takes_prompt for b in svd.backends)
    assert all(b.needs_prompt for b in catalog.get("kling-v2.1").backends)
    assert not catalog.get("sdxl").backend("diffusers").needs_prompt


def test_unknown_and_retired_models_say_what_to_use():
    with pytest.raises(ValueError, match="unknown model 'sdxxl'"):
        catalog.get("sdxxl", "txt2img")
    assert "use gpt-image-2" in catalog.get("dall-e-3").retirement_message()


def test_options_are_validated_per_backend():
    model = catalog.get("sdxl")
    clean, errors = catalog.validate_options(model, "diffusers", {"width": 512})
    assert errors == {} and clean["width"] == 512 and clean["height"] == 1024
    _, errors = catalog.validate_options(model, "diffusers", {"colour": "red"})
    assert "sdxl has no option 'colour'" in errors["colour"]
