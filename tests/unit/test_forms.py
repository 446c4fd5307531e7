"""The form, built from declarations, flags problems where they are."""

from types import SimpleNamespace

from tests.unit.conftest import module

forms = module("core.forms")
parse = module("core.request").parse
TextToImage = module("text_to_image.operator").TextToImage


class FakeView:
    def get_field_schema(self):
        return {"filepath": type("StringField", (), {})(),
                "caption": type("StringField", (), {})()}


def form(params, secrets):
    ctx = SimpleNamespace(params=params, view=FakeView())
    request = parse("txt2img", params, secrets)
    return forms.build(TextToImage, ctx, request, secrets).type.properties, request


def test_the_form_holds_every_input_from_the_declarations(all_keys):
    props, _ = form({"models": ["sdxl", "gpt-image-2"], "prompt": "a cat"}, all_keys)
    assert list(props)[:4] == ["models", "prompt", "prompts_file", "prompt_field"]
    # asked once for the run: the chosen models' run and plan options
    assert {"negative_prompt", "num_images", "seed"} <= set(props)
    assert props["num_images"].type.max == 8  # the smaller maximum of the two models
    sections = props["options"].type.properties
    assert set(sections) == {"sdxl", "gpt-image-2"}
    assert "seed" not in sections["sdxl"].type.properties
    assert "quality" in sections["gpt-image-2"].type.properties
    # the cost: neither has a price per output known before the run
    assert props["summary"].view.label == (
        "This run makes 2 outputs with Stable Diffusion XL, gpt-image-2; cost unknown "
        "for Stable Diffusion XL (price unknown), gpt-image-2 (no published price per "
        "output)")
    assert "max_cost" in props
    props, _ = form({"models": ["sdxl", "flux-schnell"], "prompt": "a cat",
                     "max_cost": 1}, all_keys)
    assert props["summary"].view.label.endswith(
        "estimated cost $0.003; cost unknown for Stable Diffusion XL (price unknown); it "
        "stops starting new items once it has cost $1.00 (outputs of unknown cost count "
        "nothing against it)")


def test_problems_are_flagged_on_their_input_and_summed_up(no_keys):
    props, request = form({"models": ["sd3.5-large"], "prompt": "",
                           "options": {"sd3_5-large": {"backend": "stability",
                                                       "cfg_scale": 99}}}, no_keys)
    assert props["prompt"].invalid
    section = props["options"].type.properties["sd3_5-large"].type.properties
    assert section["cfg_scale"].invalid and section["backend"].invalid
    assert "set STABILITY_API_KEY" in section["backend"].error_message
    summary = props["problems"].view.description
    assert "Stable Diffusion 3.5 Large › Run on: Stability AI cannot run" in summary
    assert "Prompt: enter a prompt" in summary


def test_where_names_places_as_the_form_does():
    assert forms.where(None, "prompts_file") == "Prompts file"
    assert forms.where("sd3.5-large", "num_inference_steps") == (
        "Stable Diffusion 3.5 Large › Inference steps")
