"""SDK keyword arguments become the form's params, checked before anything runs."""

import json

import pytest

from tests.unit.conftest import module

sdk = module("core.sdk")


def test_model_options_go_to_the_models_that_have_them():
    params = sdk.params_of(["sdxl", "gpt-image-2"], prompt=["a cat", "a dog"],
                           backend={"sdxl": "replicate"}, seed=3, quality="high",
                           guidance_scale=5)
    assert params["prompt"] == "a cat\na dog" and params["seed"] == 3
    assert params["options"] == {"sdxl": {"backend": "replicate", "guidance_scale": 5},
                                 "gpt-image-2": {"quality": "high"}}
    with pytest.raises(ValueError, match="no chosen model has option"):
        sdk.params_of(["sdxl", "gpt-image-2"], prompt="x", colour="red")


def test_a_prompt_of_a_list_may_not_hold_a_line_break():
    with pytest.raises(ValueError, match="line break"):
        sdk.params_of("sdxl", prompt=["a cat\nand a dog"])


def test_json_options_travel_as_the_form_holds_them():
    params = sdk.params_of("via-image", prompt="a chair",
                           image_options={"num_inference_steps": 4})
    own = params["options"]["via-image"]
    assert json.loads(own["image_options"]) == {"num_inference_steps": 4}
