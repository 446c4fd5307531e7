"""Prompt templates: expansion, slot names, determinism, the limit, and the
way a request and a plan carry them."""

import pytest

from tests.unit.conftest import module

templates = module("core.templates")
request_module = module("core.request")
plan_module = module("core.plan")
forms = module("core.forms")

GRID = "a {red|green|blue} {car|bicycle} in {rain|snow|fog}"


@pytest.fixture
def wildcards(tmp_path):
    folder = tmp_path / "wildcards"
    (folder / "animals").mkdir(parents=True)
    (folder / "colors.txt").write_text("red\ngreen\n# a comment line\nblue\n")
    (folder / "animals" / "pets.txt").write_text("cat\ndog\n")
    return str(folder)


def test_every_combination_in_order_with_the_value_of_each_slot():
    made = templates.expand([GRID], templates.COMBINATORIAL)
    assert len(made.prompts) == 18 and made.templates == 1 and made.from_templates == 18
    assert made.prompts[:4] == ["a red car in rain", "a red car in snow", "a red car in fog",
                                "a red bicycle in rain"]
    expansion = made.expansions["a green bicycle in fog"]
    assert expansion.template == GRID
    assert expansion.vars == {"slot1": "green", "slot2": "bicycle", "slot3": "fog"}


def test_plain_lines_stay_as_they_are_between_templates():
    made = templates.expand(["a cat", "a {big|small} dog", "(word:1.2) <lora:x:1> a } b"])
    assert made.prompts == ["a cat", "a big dog", "a small dog", "(word:1.2) <lora:x:1> a } b"]
    assert set(made.expansions) == {"a big dog", "a small dog"}
    assert templates.expand(["a {b|c}"], templates.LITERAL).prompts == ["a {b|c}"]


def test_slot_names_are_stable_and_valid_field_names(wildcards):
    made = templates.expand(["__colors__ {car|bike} __animals/pets__ {2$$x|y|z} __colors__"],
                            wildcards_dir=wildcards)
    names = list(next(iter(made.expansions.values())).vars)
    assert names == ["colors", "slot2", "animals_pets", "slot4", "colors_2"]
    # the same template always gets the same names, whatever it expands to
    again = templates.expand(["__colors__ {car|bike} __animals/pets__ {2$$x|y|z} __colors__"],
                             templates.RANDOM, num_prompts=3, seed=9, wildcards_dir=wildcards)
    assert all(list(e.vars) == names for e in again.expansions.values())
    variables = templates.expand(["${c={red|blue}}a ${c} car"]).expansions
    assert {tuple(e.vars) for e in variables.values()} == {("c",)}


def test_wildcards_ranges_and_nesting(wildcards):
    made = templates.expand(["a __colors__ car"], wildcards_dir=wildcards)
    assert made.prompts == ["a blue car", "a green car", "a red car"]  # comments skipped
    assert made.expansions["a red car"].vars == {"colors": "red"}
    pairs = templates.expand(["{2$$ and $$salt|pepper}"]).prompts
    assert pairs == ["salt and pepper", "pepper and salt"]
    nested = templates.expand(["a {big {red|blue}|small} car"])
    assert nested.prompts == ["a big red car", "a big blue car", "a small car"]
    assert nested.expansions["a big blue car"].vars == {"slot1": "big blue"}


def test_random_sampling_is_seeded_distinct_and_weighted():
    grid = [GRID]
    first = templates.expand(grid, templates.RANDOM, num_prompts=7, seed=51)
    again = templates.expand(grid, templates.RANDOM, num_prompts=7, seed=51)
    other = templates.expand(grid, templates.RANDOM, num_prompts=7, seed=52)
    assert first.prompts == again.prompts and len(set(first.prompts)) == 7
    assert first.prompts != other.prompts
    # a template's draws do not depend on the lines around it
    shifted = templates.expand(["a cat", GRID], templates.RANDOM, num_prompts=7, seed=51)
    assert shifted.prompts[1:] == first.prompts
    # never more than the template has
    assert len(templates.expand(["{a|b}"], templates.RANDOM, num_prompts=5).prompts) == 2
    weighted = templates.expand(["{50::heavy|1::light} {" + "|".join(map(str, range(40)))
                                 + "}"], templates.RANDOM, num_prompts=30, seed=3)
    heavy = sum(e.vars["slot1"] == "heavy" for e in weighted.expansions.values())
    assert heavy > 20


def test_a_combinatorial_expansion_past_the_limit_asks_for_random_sampling():
    big = "{a|b|c|d|e|f|g|h|i|j} " * 4  # 10,000 combinations
    with pytest.raises(templates.TemplateError) as raised:
        templates.expand([big])
    assert raised.value.name == "template_mode"
    assert "10,000 prompts" in str(raised.value) and "Random" in str(raised.value)
    assert len(templates.expand([big], templates.RANDOM, num_prompts=50).prompts) == 50


def test_bad_templates_and_missing_wildcards_are_named(wildcards):
    with pytest.raises(templates.TemplateError) as raised:
        templates.expand(["a {b"])
    assert raised.value.name == "prompt" and "Literal" in str(raised.value)
    with pytest.raises(templates.TemplateError) as raised:
        templates.expand(["a __nope__"], wildcards_dir=wildcards)
    assert raised.value.name == "wildcards_dir" and "nope.txt" in str(raised.value)
    with pytest.raises(templates.TemplateError) as raised:
        templates.expand(["a __colors__"])
    assert "needs a wildcards folder" in str(raised.value)


def test_a_request_expands_box_and_file_but_never_a_field(tmp_path, all_keys, wildcards):
    prompts_file = tmp_path / "prompts.txt"
    prompts_file.write_text("a __colors__ bird\n")

    class View:
        def has_field(self, name):
            return True

        def values(self, name):
            return ["a {literal} caption"]

    request = request_module.parse("txt2img", {
        "models": ["flux-schnell"], "prompt": "a {cat|dog}", "wildcards_dir": wildcards,
        "prompts_file": str(prompts_file), "prompt_field": "caption"}, all_keys, view=View())
    assert request.valid, request.errors
    assert request.prompts == ["a cat", "a dog", "a blue bird", "a green bird", "a red bird",
                               "a {literal} caption"]
    assert request.templates == 2 and "a {literal} caption" not in request.expansions
    # random expansion needs a seed: a run without one gets it here, once
    assert request.seed is not None


def test_random_requests_expand_alike_for_the_same_seed(all_keys):
    params = {"models": ["flux-schnell"], "prompt": GRID, "template_mode": "random",
              "num_prompts": 5, "seed": 7}
    one = request_module.parse("txt2img", params, all_keys)
    two = request_module.parse("txt2img", dict(params), all_keys)
    assert one.prompts == two.prompts and len(one.prompts) == 5
    keys = [i.output_key() for i in plan_module.plan(one.choices, one.prompts, seed=7)]
    assert keys == [i.output_key() for i in plan_module.plan(two.choices, two.prompts, seed=7)]


def test_the_form_previews_without_drawing_a_seed_and_remembers(all_keys):
    params = {"models": ["flux-schnell"], "prompt": GRID, "template_mode": "random",
              "num_prompts": 6}
    preview = request_module.parse("txt2img", params, all_keys, preview=True)
    assert preview.seed is None and len(preview.prompts) == 6
    preview.prompts.append("changed by a caller")
    again = request_module.parse("txt2img", params, all_keys, preview=True)
    assert again.prompts == preview.prompts[:6]  # the remembered expansion is intact
    run = request_module.parse("txt2img", params, all_keys)
    assert run.seed is not None and len(run.prompts) == 6


def test_template_problems_are_keyed_by_their_input(all_keys, tmp_path):
    request = request_module.parse("txt2img", {
        "models": ["flux-schnell"], "prompt": "{a|b|c|d|e|f|g|h|i|j} " * 4}, all_keys)
    assert "Random" in request.errors[None, "template_mode"]
    request = request_module.parse("txt2img", {
        "models": ["flux-schnell"], "prompt": "a __x__",
        "wildcards_dir": str(tmp_path / "none")}, all_keys)
    assert "no folder" in request.errors[None, "wildcards_dir"]
    request = request_module.parse("txt2img", {
        "models": ["flux-schnell"], "prompt": "a {b|c}", "template_mode": "sometimes"},
        all_keys)
    assert (None, "template_mode") in request.errors


def test_the_plan_carries_each_prompts_template_outside_the_key(all_keys):
    request = request_module.parse("txt2img", {"models": ["flux-schnell"],
                                               "prompt": "a {cat|dog}\na cat", "seed": 1},
                                   all_keys)
    items = plan_module.plan(request.choices, request.prompts, seed=1,
                             expansions=request.expansions)
    by_prompt = {}
    for item in items:
        by_prompt.setdefault(item.prompt, []).append(item)
    assert by_prompt["a dog"][0].expansion.vars == {"slot1": "dog"}
    # the same prompt written out makes the same output: one key
    cat_keys = {i.output_key() for i in by_prompt["a cat"]}
    assert len(cat_keys) == 1


def test_the_form_says_how_many_prompts_templates_make(all_keys):
    from types import SimpleNamespace

    TextToImage = module("text_to_image.operator").TextToImage

    class View:
        def get_field_schema(self):
            return {}

    def form(params):
        request = request_module.parse("txt2img", params, all_keys)
        ctx = SimpleNamespace(params=params, view=View())
        props = forms.build(TextToImage, ctx, request, all_keys).type.properties
        # template inputs live in the form's folded "Advanced" section
        return {**props, **props["advanced"].type.properties}

    props = form({"models": ["flux-schnell"], "prompt": GRID + "\na {cat|dog}"})
    assert "2 templates expand to 20 prompts" in props["summary"].view.label
    assert props["template_mode"].type.values == ["combinatorial", "random", "literal"]
    assert "num_prompts" not in props  # only for random sampling
    props = form({"models": ["flux-schnell"], "prompt": "{a|b|c|d|e|f|g|h|i|j} " * 4})
    assert props["template_mode"].invalid
    assert "choose Random sampling" in props["template_mode"].error_message
    props = form({"models": ["flux-schnell"], "prompt": GRID, "template_mode": "random",
                  "num_prompts": 4})
    assert "expands to 4 prompts" in props["summary"].view.label and "num_prompts" in props
    assert "template_mode" not in form({"models": ["flux-schnell"], "prompt": "a cat"})
