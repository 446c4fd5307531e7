"""What Replicate's image models cost, as declared beside their backends
(docs/providers-research.md section 11, "Replicate image models"): official
models estimated per output image, community models reported from the
seconds of hardware they ran, and the rest left unknown, never guessed."""

import pytest

from tests.unit.conftest import module

pricing = module("core.pricing")
catalog = module("core.catalog")
plan_module = module("core.plan")
request_module = module("core.request")


def choose(model_id, count=1, **options):
    model = catalog.get(model_id)
    clean, errors = catalog.validate_options(model, "replicate", options)
    assert not errors
    return request_module.Choice(model, model.backend("replicate"), clean, count=count)


def test_official_image_models_are_estimated_from_their_page_price():
    choices = [choose("imagen-4-fast", count=2), choose("ideogram-v3-quality"),
               choose("seedream-4", size="4K"), choose("flux-1.1-pro-ultra", raw=True)]
    estimate = pricing.estimate_items(plan_module.plan(choices, ["a", "b"], seed=1))
    # per prompt: 2 x $0.02 + $0.09 + $0.03 (whatever the size) + $0.06
    assert estimate.usd == pytest.approx(2 * (2 * 0.02 + 0.09 + 0.03 + 0.06))
    assert estimate.by_model == pytest.approx({"imagen-4-fast": 0.08,
                                               "ideogram-v3-quality": 0.18,
                                               "seedream-4": 0.06,
                                               "flux-1.1-pro-ultra": 0.12})
    assert estimate.unknown == []


def test_unconfirmed_prices_stay_unknown_and_sdxl_is_billed_by_the_second():
    choices = [choose("flux-2-pro", resolution="4 MP"), choose("hidream-l1-fast"),
               choose("ssd-1b"), choose("sdxl")]
    estimate = pricing.estimate_items(plan_module.plan(choices, ["a"], seed=1))
    assert estimate.usd == 0 and estimate.by_model == {}
    assert estimate.unknown == ["FLUX.2 [pro] (price unknown)",
                                "HiDream-I1 Fast (price unknown)",
                                "Segmind SSD-1B (price unknown)",
                                "Stable Diffusion XL (billed by the second)"]
    # SDXL's cost comes from the prediction's predict_time on an A40 (Large)
    price = catalog.get("sdxl").backend("replicate").price
    cost = price.reported({"predict_time": 4.0}, count=2)
    assert cost.usd == pytest.approx(4.0 * 0.000725 / 2) and cost.reported
    assert "Nvidia A40 (Large)" in cost.basis


def test_replicate_edits_cost_one_output_image_each():
    kontext = catalog.get("flux-kontext-pro").backend("replicate").price
    banana = catalog.get("nano-banana").backend("replicate").price
    assert kontext.estimate({}, 3).usd == pytest.approx(0.12)
    assert banana.estimate({}, 2).usd == pytest.approx(0.078)
    assert banana.describe() == "$0.039 per image"
    assert banana.source == "https://replicate.com/google/nano-banana"
