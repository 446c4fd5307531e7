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
        "for Stable Diffusion XL (billed by the second), gpt-image-2 (no published price per "
        "output)")
    assert "max_cost" in props
    props, _ = form({"models": ["sdxl", "flux-schnell"], "prompt": "a cat",
                     "max_cost": 1}, all_keys)
    assert props["summary"].view.label.endswith(
        "estimated cost $0.003; cost unknown for Stable Diffusion XL (billed by the second); it "
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


def test_a_newcomer_without_key_or_gpu_starts_on_a_cpu_model(monkeypatch, no_keys, all_keys):
    operator_module = module("core.operator")
    op = TextToImage()
    monkeypatch.setattr(operator_module, "gpu_present", lambda: False)
    assert op.default_model_for(no_keys) == "sdxs"
    sdxs = module("core.catalog").get("sdxs")
    assert "openrail++" in sdxs.description  # the licence shows in the form
    assert sdxs.backend_kinds == ["diffusers"]
    # a key for the usual default, or a GPU: the usual default
    assert op.default_model_for(all_keys) == "flux-schnell"
    monkeypatch.setattr(operator_module, "gpu_present", lambda: True)
    assert op.default_model_for(no_keys) == "flux-schnell"


# the form as a person meets it (issue 18, finding 8) ---------------------------------


def test_a_fresh_form_flags_nothing_and_says_what_is_missing(no_keys):
    props, request = form({"models": ["sd15"]}, no_keys)  # nothing typed yet
    flagged = [path for path, prop in every_prop_of(props) if prop.invalid
               and path != "summary"]
    assert flagged == []
    assert props["summary"].view.label == "To run: enter a prompt (one per line for several)"
    assert props["summary"].invalid  # Execute stays off until there is a prompt
    assert not any(prop.required for _, prop in every_prop_of(props))
    # typed, then cleared: now it is flagged where it is
    props, _ = form({"models": ["sd15"], "prompt": ""}, no_keys)
    assert props["prompt"].invalid and "Enter a prompt" in props["prompt"].error_message


def every_prop_of(props):
    for name, prop in props.items():
        yield name, prop
        if hasattr(prop.type, "properties"):
            yield from ((f"{name}.{n}", p) for n, p in every_prop_of(prop.type.properties))


def test_the_summary_comes_before_the_options_and_advanced_is_folded(all_keys):
    props, _ = form({"models": ["sdxl"], "prompt": "a cat"}, all_keys)
    order = list(props)
    assert order.index("summary") < order.index("num_images") < order.index("options")
    assert order[-1] == "advanced"
    advanced = props["advanced"]
    assert {"output_dir", "shards", "timeout", "embed_provenance"} <= set(
        advanced.type.properties)
    assert not {"output_dir", "shards", "timeout"} & set(order)
    view = advanced.view.to_json()
    assert view["collapsible"] and not view["default_expanded"]
    # a value of its own opens it and says so
    props, request = form({"models": ["sdxl"], "prompt": "a cat",
                           "advanced": {"output_dir": "/tmp/out", "shards": 1}}, all_keys)
    assert request.output_dir and props["advanced"].view.to_json()["default_expanded"]
    assert "Output folder" in props["advanced"].view.label


def test_problems_use_labels_and_a_run_option_is_named_once(all_keys):
    props, request = form({"models": ["sdxl", "flux-schnell"], "prompt": "a cat",
                           "num_images": 9}, all_keys)
    assert props["num_images"].error_message == "Must be between 1 and 8; got 9"
    listed = props["problems"].view.description
    assert listed.count("between 1 and 8") == 1
    assert "Images: must be between 1 and 8; got 9" in listed
    assert "num_images" not in listed


def test_shards_say_their_own_bounds(all_keys):
    props, request = form({"models": ["sdxl"], "prompt": "a cat",
                           "advanced": {"shards": 0}}, all_keys)
    shards = props["advanced"].type.properties["shards"]
    assert shards.invalid and shards.error_message == "Must be between 1 and 64; got 0"
    assert "Shards: must be between 1 and 64; got 0" in props["problems"].view.description


def test_an_optional_choice_can_be_cleared(all_keys):
    props, _ = form({"models": ["stable-image-core"], "prompt": "a cat"}, all_keys)
    preset = props["options"].type.properties["stable-image-core"].type.properties[
        "style_preset"]
    assert preset.view.choices[0].value == "" and preset.view.choices[0].label == "None"
    request = parse("txt2img", {"models": ["stable-image-core"], "prompt": "a cat",
                                "options": {"stable-image-core": {"style_preset": ""}}},
                    all_keys)
    assert request.valid and request.choices[0].options.get("style_preset") is None


def test_model_search_finds_ids_aliases_and_backends(all_keys):
    props, _ = form({"models": ["sdxl"], "prompt": "a cat"}, all_keys)
    labels = {c.value: c.label for c in props["models"].view.choices}

    def found(text):  # the App's list matches typed text inside the label
        return {mid for mid, label in labels.items() if text.lower() in label.lower()}

    assert "sdxl" in found("sdxl") and "sd15" in found("sd15")
    assert {"sd3.5-large", "sd3.5-medium"} <= found("sd3.5")
    assert "gpt-image-2" in found("openai") and "flux-schnell" in found("replicate")
    assert "sdxs" in found("local") and "gpt-image-2" not in found("local")
    # retired models are not offered; none reads "[]"
    assert "dall-e-3" not in labels
    assert not any("[]" in c.description for c in props["models"].view.choices)


def test_via_image_lists_models_by_name_and_only_their_backends(all_keys):
    from tests.unit.conftest import module as m

    TextTo3D = m("text_to_3d.operators").TextTo3D
    params = {"models": ["via-image"], "prompt": "a teapot",
              "options": {"via-image": {"image_model": "gpt-image-2"}}}
    request = parse("txt2mesh", params, all_keys)
    ctx = SimpleNamespace(params=params, view=FakeView())
    props = forms.build(TextTo3D, ctx, request, all_keys).type.properties
    section = props["options"].type.properties["via-image"].type.properties
    image_models = {c.value: c.label for c in section["image_model"].view.choices}
    assert image_models["flux-schnell"].startswith("FLUX.1 [schnell]")
    assert "ready" in image_models["flux-schnell"]
    # gpt-image-2 runs only on OpenAI: its backends, and auto
    assert [c.value for c in section["image_backend"].view.choices] == ["auto", "openai"]


def test_via_image_help_examples_are_accepted_by_the_default_models(all_keys):
    import json

    models = module("text_to_3d.models")
    catalog = module("core.catalog")
    chain = catalog.get("via-image")
    defaults = {p.name: p.default for p in chain.all_params}
    for role, example in (("image", models.IMAGE_OPTIONS_EXAMPLE),
                          ("mesh", models.MESH_OPTIONS_EXAMPLE)):
        model = catalog.get(defaults[f"{role}_model"])
        options = json.loads(example)
        kind = model.backend_kinds[0]
        _, errors = catalog.validate_options(model, kind, options)
        assert errors == {}, (role, errors)
        help_text = next(p.help for p in chain.all_params if p.name == f"{role}_options")
        assert example in help_text


def test_a_cleared_image_prompt_suffix_means_no_suffix(all_keys):
    params = {"models": ["via-image"], "prompt": "a teapot",
              "options": {"via-image": {"image_prompt_suffix": ""}}}
    request = parse("txt2mesh", params, all_keys)
    assert request.valid, request.errors
    assert request.choices[0].options["image_prompt_suffix"] == ""


class FakeStore:
    def __init__(self):
        self.values = {}

    def get(self, key):
        return self.values.get(key)

    def set(self, key, value):
        self.values[key] = value


def test_the_last_settings_come_back_on_a_fresh_form(no_keys, monkeypatch):
    stores = {}
    dataset = SimpleNamespace(name="d")

    def ctx(params):
        return SimpleNamespace(params=params, view=FakeView(), secrets={}, dataset=dataset,
                               store=lambda name: stores.setdefault(name, FakeStore()))

    op = TextToImage()
    typed = {"models": ["sd15"], "prompt": "a lighthouse", "seed": 7,
             "options": {"sd15": {"width": 256}}, "advanced": {"shards": 1}}
    op.resolve_input(ctx(typed))  # each change is remembered
    fresh = op.resolve_input(ctx({})).type.properties  # Escape, then the form again
    assert fresh["models"].default == ["sd15"]
    assert fresh["prompt"].default == "a lighthouse" and fresh["seed"].default == 7
    sd15 = fresh["options"].type.properties["sd15"].type.properties
    assert sd15["width"].default == 256
    # another dataset starts from the defaults
    other = SimpleNamespace(params={}, view=FakeView(), secrets={},
                            dataset=SimpleNamespace(name="e"), store=lambda name: FakeStore())
    assert op.resolve_input(other).type.properties["prompt"].default is None


def test_a_model_made_for_the_cpu_is_not_called_slow_without_a_gpu(monkeypatch, no_keys):
    monkeypatch.setattr(forms, "gpu_present", lambda: False)
    catalog = module("core.catalog")
    sdxs, sd15 = catalog.get("sdxs").backend(), catalog.get("sd15").backend()
    assert "slowly" not in forms.readiness(sdxs, no_keys)
    assert "runs slowly on the CPU" in forms.readiness(sd15, no_keys)
