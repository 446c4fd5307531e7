"""Parsing params into a request: prompts from every source, options in one
shape, problems addressed by (model, option)."""

import pytest

from tests.unit.conftest import module

request_module = module("core.request")
parse = request_module.parse


class FakeView:
    """What parse reads of a view: a string field's values."""

    def __init__(self, **fields):
        self.fields = fields

    def has_field(self, name):
        return name in self.fields

    def values(self, name):
        return self.fields[name]


def test_prompts_come_from_the_box_a_file_and_a_field(tmp_path, all_keys):
    prompts_file = tmp_path / "prompts.csv"
    prompts_file.write_text('id,prompt\n1,"a castle, at dusk"\n')
    view = FakeView(caption=["a tabby cat", None, "  "])
    request = parse("txt2img", {"models": ["flux-schnell"], "prompt": "a fox\n\n a whale ",
                                "prompts_file": str(prompts_file), "prompt_field": "caption"},
                    all_keys, view=view)
    assert request.valid, request.errors
    assert request.prompts == ["a fox", "a whale", "a castle, at dusk", "a tabby cat"]


def test_missing_prompt_sources_are_flagged_where_they_are(tmp_path, all_keys):
    request = parse("txt2img", {"models": ["flux-schnell"], "prompt_field": "nope",
                                "prompts_file": str(tmp_path / "none.txt")},
                    all_keys, view=FakeView())
    assert "no prompts file" in request.errors[None, "prompts_file"]
    assert "no field 'nope'" in request.errors[None, "prompt_field"]
    empty = parse("txt2img", {"models": ["flux-schnell"], "prompt": " "}, all_keys)
    assert empty.errors == {(None, "prompt"): "enter a prompt (one per line for several)"}


def test_options_take_one_shape_from_params_to_the_choice(all_keys):
    request = parse("txt2img", {
        "models": ["sdxl", "sd3.5-large"], "prompt": "a cat", "seed": 5,
        "num_images": 3, "negative_prompt": "blurry",
        "options": {"sdxl": {"backend": "replicate", "guidance_scale": 5},
                    "sd3_5-large": {"backend": "stability"}}}, all_keys)
    assert request.valid, request.errors
    sdxl, sd35 = request.choices
    assert request.seed == 5 and sdxl.count == 3
    # the plan's options (seed, num_images) never reach a model's options
    assert "seed" not in sdxl.options and "num_images" not in sdxl.options
    assert sdxl.options["negative_prompt"] == "blurry"  # asked once, given to each
    assert sdxl.options["guidance_scale"] == 5.0 and sdxl.backend.kind == "replicate"
    assert sd35.backend.kind == "stability"


def test_problems_are_addressed_by_model_and_option(all_keys):
    request = parse("txt2img", {
        "models": ["sd3.5-large"], "prompt": "a cat",
        "options": {"sd3_5-large": {"backend": "stability", "cfg_scale": 99}}},
        all_keys)
    # model ids may hold dots: the address is a pair, never a dotted string
    assert list(request.errors) == [("sd3.5-large", "cfg_scale")]
    assert request.error_text().startswith("sd3.5-large.cfg_scale: ")


def test_a_backend_without_its_key_is_flagged_unless_only_queued(no_keys):
    params = {"models": ["gpt-image-2"], "prompt": "a cat"}
    request = parse("txt2img", params, no_keys)
    assert "set OPENAI_API_KEY" in request.errors["gpt-image-2", "backend"]
    assert parse("txt2img", params, no_keys, check_ready=False).valid


def test_models_that_need_a_prompt_say_so(all_keys):
    request = parse("img2video", {"models": ["kling-v2.1", "svd-xt"],
                                  "options": {"svd-xt": {"backend": "replicate"}}},
                    all_keys, prompt=request_module.PROMPT_OPTIONAL)
    assert request.errors == {(None, "prompt"): "Kling v2.1 needs a prompt"}
    fine = parse("img2video", {"models": ["svd-xt"],
                               "options": {"svd-xt": {"backend": "replicate"}}},
                 all_keys, prompt=request_module.PROMPT_OPTIONAL)
    assert fine.valid and fine.prompts == []


@pytest.mark.parametrize("params, where", [
    ({"models": []}, (None, "models")),
    ({"models": ["sdxl", "sdxl"]}, (None, "models")),
    ({"models": ["dall-e-3"]}, (None, "models")),
    ({"models": ["sdxl"], "seed": -1}, (None, "seed")),
    ({"models": ["sdxl"], "options": {"sdxl": {"backend": "openai"}}}, ("sdxl", "backend")),
])
def test_run_level_problems(params, where, all_keys):
    request = parse("txt2img", {"prompt": "a cat", **params}, all_keys)
    assert where in request.errors


def test_chain_steps_are_checked_by_their_backend(all_keys):
    request = parse("txt2mesh", {
        "models": ["via-image"], "prompt": "a chair",
        "options": {"via-image": {"mesh_options": '{"seed": 1}',
                                  "image_options": {"num_inference_steps": 99}}}},
        all_keys)
    assert "set once for the run" in request.errors["via-image", "mesh_options"]
    assert "flux-schnell" in request.errors["via-image", "image_options"]
