"""Typed options: coercion and the messages that say what to fix."""

import math

import pytest

from tests.unit.conftest import module

P = module("core.params")


def test_numbers_are_coerced_and_ranges_enforced():
    steps = P.STEPS
    assert steps.coerce("12") == 12 and steps.coerce(3.0) == 3
    assert steps.coerce(None) is None and steps.coerce("") is None
    with pytest.raises(ValueError, match="between 1 and 150; got 0"):
        steps.coerce(0)
    with pytest.raises(ValueError, match="a whole number"):
        steps.coerce(2.5)
    with pytest.raises(ValueError, match="a whole number"):
        steps.coerce(True)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "nan"])
def test_non_finite_numbers_are_refused(value):
    with pytest.raises(ValueError, match="guidance_scale must be a number"):
        P.GUIDANCE.coerce(value)


def test_multiples_choices_and_booleans():
    with pytest.raises(ValueError, match="multiple of 8; got 100"):
        P.WIDTH.coerce(100)
    fmt = P.Param("fmt", P.CHOICE, choices=("png", "webp"))
    with pytest.raises(ValueError, match="one of png, webp; got 'gif'"):
        fmt.coerce("gif")
    flag = P.Param("flag", P.BOOL)
    assert flag.coerce("true") is True and flag.coerce("0") is False
    with pytest.raises(ValueError, match="true or false"):
        flag.coerce("maybe")


def test_json_options_take_a_dict_or_its_text():
    options = P.Param("step_options", P.JSON)
    assert options.coerce({"a": 1}) == {"a": 1}
    assert options.coerce('{"a": 1}') == {"a": 1}
    for bad in ("{a: 1", "[1, 2]"):
        with pytest.raises(ValueError, match="step_options must be a JSON object"):
            options.coerce(bad)


def test_run_and_plan_scopes_are_declared_once():
    assert P.NEGATIVE_PROMPT.scope == P.RUN
    assert P.SEED.scope == P.NUM_IMAGES.scope == P.PLAN
    assert P.PLAN_OPTIONS == ("num_images", "seed")
    assert P.STEPS.scope == P.MODEL


def test_ranges_read_well():
    assert P.SEED.describe_range() == "0-2147483647"
    assert P.Param("v", P.INT, min=-1, max=20).describe_range() == "-1 to 20"
    assert P.WIDTH.describe_range() == "64-2048, multiple of 8"
