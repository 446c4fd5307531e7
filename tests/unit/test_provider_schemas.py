"""Every option the catalog can send to a hosted model exists in that
provider's published input schema (the snapshots in docs/schemas), with a
compatible type, range and choices. The provider emulators validate requests
against the same snapshots, so what passes here is what they accept."""

import pytest

from tests.servers import snapshots
from tests.unit.conftest import module

catalog = module("core.catalog")
P = module("core.params")

HOSTED = ("replicate", "openai", "stability")


def hosted_backends():
    for model in catalog.models():
        for backend in model.backends:
            if backend.kind in HOSTED:
                yield pytest.param(model, backend, id=f"{model.id}-{backend.kind}")


def snapshot_of(backend):
    ref = {"replicate": lambda b: b.model_ref, "openai": lambda b: b.snapshot,
           "stability": lambda b: b.endpoint}[backend.kind](backend)
    return snapshots.load(backend.kind, ref)


def schema_of(model, backend):
    snap = snapshot_of(backend)
    name = getattr(backend, "model_name", None) if backend.kind == "openai" else None
    return snapshots.narrowed(snap, name)


def wire(backend, value):
    """A value as it reaches the provider: Stability's forms carry text."""
    return str(value) if backend.kind == "stability" else value


def problems(backend, prop, value):
    value = wire(backend, value)
    if backend.kind == "stability" and isinstance(value, str):
        value = snapshots.from_form(prop, value)
    return snapshots.check_value("x", prop, value)


def values_of(param):
    """Every value a numeric option allows, when there are few enough to
    list (an enum in the schema must hold each)."""
    step = param.multiple_of or 1
    start = param.min + (-param.min) % step
    return range(int(start), int(param.max) + 1, int(step))


def incompatibility(backend, param, prop):
    """Why ``param``'s values may be refused by ``prop``, or None."""
    kind = prop.get("type")
    if param.type == P.BOOL:
        return None if kind == "boolean" else f"bool sent to a {kind}"
    if param.type in (P.STR, P.JSON):
        ok = kind == "string" and "enum" not in prop
        return None if ok else f"free text sent to {prop}"
    if param.type == P.CHOICE:
        bad = [c for c in param.choices if problems(backend, prop, c)]
        return f"choices {bad} are refused" if bad else None
    # numbers
    wanted = {"int": ("integer", "number"), "float": ("number",)}[param.type]
    if kind not in wanted:
        return f"{param.type} sent to a {kind}"
    if param.min is None or param.max is None:
        if "minimum" in prop or "maximum" in prop or "enum" in prop:
            return "unbounded option for a bounded field"
        return None
    if "enum" in prop:
        bad = [v for v in values_of(param) if problems(backend, prop, v)]
        return f"values {bad[:5]} are refused" if bad else None
    for bound in (param.min, param.max):
        found = problems(backend, prop, bound if param.type == P.FLOAT else int(bound))
        if found:
            return f"{bound}: {found[0].text()}"
    return None


@pytest.mark.parametrize("model, backend", hosted_backends())
def test_every_option_the_catalog_sends_is_in_the_providers_schema(model, backend):
    schema = schema_of(model, backend)
    props = schema["properties"]
    errors = []

    def expect(field, why):
        if field not in props:
            errors.append(f"{field} ({why}) is not in the schema")
            return None
        return props[field]

    for param in model.params_for(backend.kind):
        if param.scope == P.PLAN:
            continue
        field = backend.fields.get(param.name, param.name)
        if field is None:
            continue
        prop = expect(field, f"option {param.name}")
        if prop is not None:
            why = incompatibility(backend, param, prop)
            if why:
                errors.append(f"{param.name} -> {field}: {why}")
    for field, value in backend.fixed.items():
        prop = expect(field, "fixed")
        if prop is not None and problems(backend, prop, value):
            errors.append(f"fixed {field}={value!r} is refused")
    if backend.takes_prompt:
        expect(backend.fields.get("prompt", "prompt"), "prompt")
    if backend.takes_seed:
        prop = expect(backend.fields.get("seed", "seed"), "seed")
        if prop is not None and problems(backend, prop, P.SEED.max):
            errors.append("the largest seed is refused")
    batch = {"replicate": getattr(backend, "batch_field", None), "openai": "n"}.get(backend.kind)
    if batch:
        prop = expect(batch, "outputs per call")
        if prop is not None and any(problems(backend, prop, n)
                                    for n in range(1, backend.max_batch + 1)):
            errors.append(f"{batch} 1..{backend.max_batch} is refused")
    for field in (getattr(backend, "image_field", None), getattr(backend, "images_field", None)):
        if field:
            expect(field, "source image")
    if backend.kind == "stability" and model.task == "img2mesh":
        expect("image", "source image")
    if backend.kind == "stability" and backend.model_name:
        prop = expect("model", "model name")
        if prop is not None and problems(backend, prop, backend.model_name):
            errors.append(f"model {backend.model_name} is refused")
    if backend.kind == "openai":
        prop = expect("model", "model name")
        if prop is not None and backend.model_name not in prop["anyOf"][1]["enum"]:
            errors.append(f"model {backend.model_name} is not in the published list")
    assert not errors, f"{model.id} on {backend.kind}:\n" + "\n".join(errors)


@pytest.mark.parametrize("model, backend", hosted_backends())
def test_source_image_rules_match_the_schema(model, backend):
    rules = snapshot_of(backend).get("x-multigen-image")
    if not rules:
        assert not backend.min_source_side and not backend.max_source_pixels
        return
    assert backend.min_source_side == rules["min_side"]
    assert backend.max_source_pixels == rules["max_pixels"]


def test_every_snapshot_says_where_it_comes_from():
    for provider in HOSTED:
        for name, snap in snapshots.all_snapshots(provider).items():
            assert snap["provider"] == provider, name
            assert snap["source"] and snap["retrieved"] and snap["confidence"] in "HML", name
            assert snap["input"]["properties"], name


def test_every_snapshot_is_used_by_a_model():
    used = {snapshots.path_of(b.kind, {"replicate": getattr(b, "model_ref", ""),
                                       "openai": getattr(b, "snapshot", ""),
                                       "stability": getattr(b, "endpoint", "")}[b.kind])
            for m in catalog.models() for b in m.backends if b.kind in HOSTED}
    files = {snapshots.path_of(provider, snap["ref"] if provider != "stability" else
                               snap["ref"].split("/v2beta/")[1])
             for provider in ("replicate", "stability")
             for snap in snapshots.all_snapshots(provider).values()}
    assert files <= used
