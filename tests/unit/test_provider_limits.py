"""What a provider refuses is refused before anything is sent: ranges per
backend, listed sizes, source images the provider would not take, and
outputs whose shape no schema publishes."""

import pytest
from PIL import Image

from tests.unit.conftest import module

catalog = module("core.catalog")
parse = module("core.request").parse
plan_module = module("core.plan")
generate = module("core.generate")
replicate_api = module("core.backends.replicate_api")


@pytest.mark.parametrize("model_id, option, value, refused_on, allowed_on", [
    ("sdxl", "guidance_scale", 0.5, "replicate", "diffusers"),
    ("ssd-1b", "guidance_scale", 0.0, "replicate", "diffusers"),
    ("playground-v2.5", "guidance_scale", 0.05, "replicate", "diffusers"),
    ("playground-v2.5", "width", 128, "replicate", "diffusers"),
    ("sdxl-lightning", "height", 192, "replicate", "diffusers"),
    ("kandinsky-2.2", "width", 832, "replicate", "diffusers"),
])
def test_a_hosted_range_does_not_bind_the_local_backend(model_id, option, value, refused_on,
                                                         allowed_on):
    model = catalog.get(model_id)
    _, errors = catalog.validate_options(model, refused_on, {option: value})
    assert option in errors
    _, errors = catalog.validate_options(model, allowed_on, {option: value})
    assert errors == {}


def test_the_sdk_error_names_the_option_and_what_is_allowed(all_keys):
    request = parse("txt2img", {"prompt": "x", "models": ["kandinsky-2.2"],
                                "options": {"kandinsky-2.2": {"backend": "replicate",
                                                              "width": 832}}}, all_keys)
    text = request.error_text()
    assert text.startswith("kandinsky-2.2.width: width must be one of 384, 512, 576")
    assert "2048; got 832" in text
    request = parse("txt2img", {"prompt": "x", "models": ["sdxl"], "options": {
        "sdxl": {"backend": "replicate", "guidance_scale": 0}}}, all_keys)
    assert request.error_text() == (
        "sdxl.guidance_scale: guidance_scale must be between 1 and 50; got 0")


def test_listed_sizes_take_text_as_the_form_sends_it():
    model = catalog.get("kandinsky-2.2")
    clean, errors = catalog.validate_options(model, "replicate", {"width": "768"})
    assert errors == {} and clean["width"] == 768


def picture(path, size):
    Image.new("RGB", size, (200, 60, 30)).save(path)
    return str(path)


def test_a_source_the_provider_would_refuse_fails_before_anything_is_sent(tmp_path, all_keys):
    small = picture(tmp_path / "small.png", (512, 512))
    large = picture(tmp_path / "large.png", (640, 700))
    request = parse("img2mesh", {"models": ["stable-point-aware-3d", "stable-fast-3d"]},
                    all_keys, prompt="none")
    assert request.valid, request.errors
    sources = [plan_module.Source("s1", small), plan_module.Source("s2", large)]
    items = plan_module.plan(request.choices, [None], sources, seed=1)
    kept, refused = generate.refuse_sources(items)
    assert [(f.model, f.source_id) for f in refused] == [("stable-point-aware-3d", "s1")]
    assert "at least 640 px a side; this one is 512x512" in refused[0].error
    # Stable Fast 3D takes the small one (64 px a side)
    assert {(i.choice.model.id, i.source.sample_id) for i in kept} == {
        ("stable-point-aware-3d", "s2"), ("stable-fast-3d", "s1"), ("stable-fast-3d", "s2")}


def test_a_source_above_the_pixel_limit_is_refused(tmp_path):
    backend = catalog.get("stable-fast-3d").backend()
    assert backend.source_problem(picture(tmp_path / "ok.png", (2048, 2048))) is None
    problem = backend.source_problem(picture(tmp_path / "big.png", (2100, 2048)))
    assert "at most 4,194,304 pixels; this one is 2100x2048" in problem


def test_the_stability_backend_checks_a_chain_image_itself(tmp_path):
    backend = catalog.get("stable-point-aware-3d").backend()
    job = module("core.backends.base").Job(model=None, source_path=picture(
        tmp_path / "s.png", (300, 300)))
    with pytest.raises(module("core.backends.base").GenerationError, match="640 px"):
        backend.generate(job, {"STABILITY_API_KEY": "sk-x"})


@pytest.mark.parametrize("output, pick, expected", [
    ("https://x/out.glb", ("mesh", ".glb"), ["https://x/out.glb"]),
    ("https://x/out", ("mesh", ".glb"), ["https://x/out"]),  # a bare URL is kept
    (["https://x/a.glb", "https://x/b.gif"], ("mesh", ".glb"), ["https://x/a.glb"]),
    ({"mesh": "https://x/m", "preview": "https://x/p.gif"}, ("mesh", ".glb"), ["https://x/m"]),
    ({"model_file": "https://x/m.glb", "color_video": "https://x/v.mp4"}, ("model_file",),
     ["https://x/m.glb"]),
    (["https://x/o.obj", "https://x/o.gif"], (".obj", ".gif"),
     ["https://x/o.obj", "https://x/o.gif"]),
])
def test_outputs_are_picked_whatever_their_shape(output, pick, expected):
    assert replicate_api._picked(output, pick) == expected
