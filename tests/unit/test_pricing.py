"""Prices as dated, sourced data; the cost of outputs from reported usage
or estimated from the price; the estimate of a run before it starts."""

import dataclasses
import datetime
import os
import re

import pytest

from tests.unit.conftest import module

pricing = module("core.pricing")
catalog = module("core.catalog")
plan_module = module("core.plan")
request_module = module("core.request")
replicate_api = module("core.backends.replicate_api")

RESEARCH = os.path.join(os.path.dirname(__file__), "..", "..", "docs",
                        "providers-research.md")


def hosted_backends():
    return [(m, b) for m in catalog.models() for b in m.backends
            if pricing.is_hosted(b)]


def test_every_declared_price_is_dated_and_cited_in_the_research_notes():
    with open(RESEARCH, encoding="utf-8") as f:
        notes = f.read()
    priced = 0
    for model, backend in hosted_backends():
        price = backend.price
        if price is None:  # unconfirmed: its cost is unknown, never guessed
            continue
        priced += 1
        datetime.date.fromisoformat(price.checked)
        assert re.match(r"https://", price.source), (model.id, price.source)
        assert price.source in notes, f"{model.id}: {price.source} is not cited"
        assert price.describe()
    assert priced >= 10  # OpenAI, Stability and Replicate's official models


def test_local_models_carry_no_price():
    for model in catalog.models():
        for backend in model.backends:
            if backend.kind == "diffusers":
                assert backend.price is None


def test_flat_and_credit_prices():
    assert pricing.PerOutput(usd=0.003).estimate({}, 3).usd == pytest.approx(0.009)
    credits = pricing.Credits(credits=6.5)
    assert credits.usd == pytest.approx(0.065)
    cost = credits.estimate({}, 2)
    assert cost.usd == pytest.approx(0.13) and not cost.reported
    assert cost.basis == "13 credits at $0.01"


def test_stability_meshes_and_edits_are_estimated_per_output():
    spar3d = catalog.get("stable-point-aware-3d").backend("stability").price
    cost = spar3d.estimate({}, 2)
    assert cost.usd == pytest.approx(0.08) and not cost.reported
    assert spar3d.describe() == "4 credits ($0.04) per mesh"
    erase = catalog.get("stability-erase").backend("stability").price
    assert erase.estimate({}, 3).usd == pytest.approx(0.15)


def test_token_price_from_openai_usage_split_over_the_images_of_a_call():
    gpt2 = catalog.get("gpt-image-2").backend("openai").price
    usage = {"input_tokens": 50, "output_tokens": 8320,
             "input_tokens_details": {"text_tokens": 50, "image_tokens": 0},
             "output_tokens_details": {"image_tokens": 8320, "text_tokens": 0}}
    cost = gpt2.reported(usage, count=2)
    # (50 x $5 + 8,320 x $30) / 1M, half each
    assert cost.usd == pytest.approx((50 * 5 + 8320 * 30) / 1e6 / 2)
    assert cost.reported and "8,320 output tokens at $30/1M" in cost.basis


def test_token_estimates_follow_openai_per_image_table():
    gpt15 = catalog.get("gpt-image-1.5").backend("openai").price
    assert gpt15.estimate({"quality": "high", "size": "1024x1024"}, 1).usd == 0.133
    # auto: the most it can cost
    assert gpt15.estimate({"quality": "auto", "size": "auto"}, 2).usd == pytest.approx(0.4)
    # gpt-image-2 has no published price per image: no estimate, never a guess
    gpt2 = catalog.get("gpt-image-2").backend("openai").price
    assert gpt2.estimate({"quality": "high", "size": "1024x1024"}, 1) is None


def test_hardware_price_from_replicate_predict_time():
    l40s = replicate_api.on_hardware("gpu-l40s")
    cost = l40s.reported({"predict_time": 2.0}, count=1)
    assert cost.usd == pytest.approx(2.0 * 0.000975) and cost.reported
    assert cost.basis == "2.00 s of Nvidia L40S at $0.000975/s"
    assert l40s.reported({}, 1) is None
    assert l40s.estimate({}, 1) is None  # not known before it runs


def test_a_video_priced_per_second_by_resolution_costs_its_duration_times_the_rate():
    price = pricing.ByOptions(by=("resolution",), seconds="duration",
                              rates={("480p",): 0.018, ("720p",): 0.036, ("1080p",): 0.072})
    cost = price.estimate({"resolution": "720p", "duration": 5}, 2)
    assert cost.usd == pytest.approx(2 * 5 * 0.036) and not cost.reported
    assert cost.basis == "2 videos of 5 s at $0.036/s (720p)"
    assert price.estimate({"resolution": "1080p", "duration": 12}, 1).usd == pytest.approx(
        12 * 0.072)
    # a resolution no published rate covers, or no length: unknown, never a guess
    assert price.estimate({"resolution": "4k", "duration": 5}, 1) is None
    assert price.estimate({"resolution": "480p"}, 1) is None
    assert price.describe() == "per second of video: 480p $0.018, 720p $0.036, 1080p $0.072"


def test_a_video_price_keyed_by_several_options_and_a_fixed_length():
    price = pricing.ByOptions(by=("resolution", "generate_audio"), seconds="duration",
                              labels={"generate_audio": "audio"},
                              rates={("1080p", True): 0.4, ("1080p", False): 0.2})
    assert price.estimate({"resolution": "1080p", "generate_audio": False,
                           "duration": 8}, 1).usd == pytest.approx(1.6)
    assert price.estimate({"resolution": "1080p", "generate_audio": True,
                           "duration": 4}, 1).basis == "1 video of 4 s at $0.40/s (1080p, audio on)"
    assert price.describe() == ("per second of video: 1080p, audio on $0.40, "
                                "1080p, audio off $0.20")
    # one rate, a length the model's schema fixes (no duration option)
    flat = pricing.ByOptions(rates={(): 0.07}, seconds=5)
    assert flat.estimate({}, 3).usd == pytest.approx(3 * 5 * 0.07)
    assert flat.describe() == "$0.07 per second of video (5 s each)"
    assert pricing.ByOptions(rates={(): 0.07}, seconds="duration").describe() == (
        "$0.07 per second of video")


def test_a_flat_price_per_video_by_resolution():
    price = pricing.ByOptions(by=("resolution",), rates={("480p",): 0.05, ("720p",): 0.1})
    cost = price.estimate({"resolution": "720p", "num_frames": 121}, 3)
    assert cost.usd == pytest.approx(0.3) and cost.basis == "3 videos at $0.10 each (720p)"
    assert price.describe() == "per video: 480p $0.05, 720p $0.10"
    assert price.reported({"predict_time": 30.0}) is None  # billed by output, not time


def test_every_video_price_estimates_each_option_value_it_declares():
    """A priced video model prices every value its form offers for the
    options its price reads: no choice the user can make reads "unknown"
    unless the model's own rule (Hailuo's 10 s at 768p only) refuses it."""
    checked = 0
    for model, backend in hosted_backends():
        price = backend.price
        if not isinstance(price, pricing.ByOptions):
            continue
        params = {p.name: p for p in model.params_for(backend.kind)}
        for name in price.by:
            assert name in params, f"{model.id}: its price reads {name!r}, not an option"
            allowed = params[name].choices or (True, False)  # a choice, or yes/no
            for key in price.rates:
                assert key[price.by.index(name)] in allowed, (model.id, key)
        if isinstance(price.seconds, str):
            assert price.seconds in params, (model.id, price.seconds)
        clean, errors = catalog.validate_options(model, backend.kind, {})
        assert not errors
        assert price.estimate(clean, 1) is not None, f"{model.id}: defaults have no price"
        checked += 1
    assert checked >= 1


def test_dollars_read_as_people_write_them():
    assert pricing.usd(0.003) == "$0.003"
    assert pricing.usd(0.065) == "$0.065"
    assert pricing.usd(0.5) == "$0.50"
    assert pricing.usd(12.345) == "$12.35"


def choose(model_id, backend, count=1, **options):
    model = catalog.get(model_id)
    spec = model.backend(backend)
    clean, errors = catalog.validate_options(model, backend, options)
    assert not errors
    return request_module.Choice(model, spec, clean, count=count)


def test_a_run_estimate_sums_priced_outputs_and_names_the_unknown():
    choices = [choose("flux-schnell", "replicate", count=3),
               choose("sd3.5-large", "stability", count=1),
               choose("sdxl", "replicate", count=1),
               choose("gpt-image-2", "openai", count=1)]
    items = plan_module.plan(choices, ["a", "b"], seed=1)
    estimate = pricing.estimate_items(items)
    # 2 prompts x (3 x $0.003 + $0.065)
    assert estimate.usd == pytest.approx(2 * (3 * 0.003 + 0.065))
    assert estimate.by_model == pytest.approx({"flux-schnell": 0.018, "sd3.5-large": 0.13})
    assert estimate.unknown == ["Stable Diffusion XL (billed by the second)",
                                "gpt-image-2 (no published price per output)"]


def test_a_video_run_estimate_follows_each_models_own_options():
    choices = [choose("seedance-1-lite-t2v", "replicate"),  # its defaults: 720p, 5 s
               choose("kling-v2.1", "replicate", mode="standard", duration=10),
               choose("hailuo-02-t2v", "replicate", resolution="512p")]
    items = plan_module.plan(choices, ["a", "b"], seed=1)
    estimate = pricing.estimate_items(items)
    # 2 prompts x (5 s x $0.036 + 10 s x $0.05); 512p has no confirmed rate
    assert estimate.by_model == pytest.approx({"seedance-1-lite-t2v": 2 * 5 * 0.036,
                                               "kling-v2.1": 2 * 10 * 0.05})
    assert estimate.unknown == ["Hailuo 02 (no published price for these options)"]
    kling = choose("kling-v2.1", "replicate", mode="pro", duration=10)
    assert kling.backend.price.estimate(kling.options, 1).usd == pytest.approx(0.9)
    # each video made records that estimate (Replicate reports no usage for it)
    (item,) = plan_module.plan([kling], ["a"], seed=1)
    video = module("core.backends.base").Output(data=b"", ext="mp4")
    assert pricing.cost_of(item, video) == {
        "usd": pytest.approx(0.9), "reported": False,
        "basis": "1 video of 10 s at $0.09/s (pro)"}


def test_local_runs_are_free_and_left_out_of_the_estimate():
    items = plan_module.plan([choose("sdxl", "diffusers")], ["a"], seed=1)
    estimate = pricing.estimate_items(items)
    assert estimate.usd == 0 and not estimate.unknown and estimate.text == ""


def test_a_negative_budget_is_refused_before_anything_runs(all_keys):
    request = request_module.parse("txt2img", {"models": ["flux-schnell"], "prompt": "a",
                                               "max_cost": -1}, all_keys)
    assert request.errors[None, "max_cost"] == "max_cost must be at least 0; got -1"
    request = request_module.parse("txt2img", {"models": ["flux-schnell"], "prompt": "a",
                                               "max_cost": "2.5"}, all_keys)
    assert request.valid and request.max_cost == 2.5


def test_the_readme_price_table_is_derived_from_the_declarations():
    import sys

    repo = os.path.join(os.path.dirname(__file__), "..", "..")
    sys.path.insert(0, os.path.join(repo, "scripts"))
    try:
        import model_table
    finally:
        sys.path.pop(0)
    with open(os.path.join(repo, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    table = model_table.readme_table(readme, model_table.PRICES_BEGIN,
                                     model_table.PRICES_END)
    assert table == model_table.render_prices(), (
        "README price table is stale: run python scripts/model_table.py --write")
    assert "| `flux-schnell` | Replicate | $0.003 per image | 2026-11-29 |" in table
    assert "| `sd21` | Replicate | price unknown |" in table


def test_a_chain_output_costs_its_hosted_steps_or_is_unknown():
    base = module("core.backends.base")
    flux = catalog.get("flux-schnell").backend("replicate")
    # a hosted mesh step nobody could price (any declared price taken away)
    unpriced = dataclasses.replace(catalog.get("stable-fast-3d").backend("stability"),
                                   price=None)
    core_img = catalog.get("stable-image-core").backend("stability")
    local = catalog.get("sdxl").backend("diffusers")
    out = base.Output(data=b"", ext="png")
    reported = base.Output(data=b"", ext="glb",
                           cost=pricing.Cost(0.5, True, "reported").to_dict())
    cost = pricing.combined([("image", flux, {}, out), ("mesh", core_img, {}, reported)])
    assert cost == {"usd": 0.503, "reported": False,
                    "basis": "image: 1 image at $0.003 each; mesh: reported"}
    # a hosted step of unknown price makes the whole unknown, never a partial sum
    assert pricing.combined([("image", flux, {}, out), ("mesh", unpriced, {}, out)]) is None
    # local steps cost nothing; all local: no cost at all
    assert pricing.combined([("image", local, {}, out), ("mesh", flux, {}, out)])["usd"] == 0.003
    assert pricing.combined([("image", local, {}, out)]) is None
