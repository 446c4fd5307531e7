"""The providers' published input schemas, as committed snapshots
(``docs/schemas/<provider>/*.json``), and one validator for them.

One truth, three uses: ``tests/unit/test_provider_schemas.py`` checks that
every option the catalog can send fits its snapshot, the provider emulators
refuse what the snapshot refuses (each in its provider's error format), and
``scripts/refresh_schemas.py`` rewrites the snapshots from the live APIs.

A snapshot is ``{"provider", "ref", "retrieved", "source", "confidence",
"input": <JSON Schema of the request body>, ...}``; OpenAI's also narrows
fields per model (``models``), Stability's 3D ones carry the source image
rules (``x-multigen-image``).
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from typing import Any

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                    "docs", "schemas")


def path_of(provider: str, ref: str) -> str:
    """The snapshot file of a provider's model or endpoint: Replicate
    ``owner/name[:version]``, OpenAI ``images-generations``, Stability
    ``stable-image/generate/core`` or ``3d/stable-fast-3d``."""
    if provider == "replicate":
        name = ref.split(":")[0].replace("/", "--")
    elif provider == "stability":
        name = ref.split(":")[0].replace("/", "-")
    else:
        name = ref
    return os.path.join(ROOT, provider, f"{name}.json")


@functools.lru_cache(maxsize=None)
def load(provider: str, ref: str) -> dict:
    with open(path_of(provider, ref)) as f:
        return json.load(f)


def all_snapshots(provider: str) -> dict[str, dict]:
    """Every snapshot of a provider, by file name (without ``.json``)."""
    folder = os.path.join(ROOT, provider)
    out = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json"):
            with open(os.path.join(folder, name)) as f:
                out[name[:-5]] = json.load(f)
    return out


@dataclass
class Problem:
    """One way a request breaks its schema, named as gojsonschema (which
    Replicate's messages follow) names it."""

    kind: str  # required, additional_property_not_allowed, invalid_type, enum,
    # number_gte, number_lte, string_lte, pattern
    field: str
    value: Any = None
    limit: Any = None  # the bound, the allowed values or the expected type

    def text(self) -> str:
        """gojsonschema's wording (Replicate's 422 descriptions)."""
        if self.kind == "required":
            return f"{self.field} is required"
        if self.kind == "additional_property_not_allowed":
            return f"Additional property {self.field} is not allowed"
        if self.kind == "invalid_type":
            return f"Invalid type. Expected: {self.limit}, given: {_json_type(self.value)}"
        if self.kind == "enum":
            allowed = ", ".join(json.dumps(v) for v in self.limit)
            return f"{self.field} must be one of the following: {allowed}"
        if self.kind == "number_gte":
            return f"Must be greater than or equal to {number_text(self.limit)}"
        if self.kind == "number_lte":
            return f"Must be less than or equal to {number_text(self.limit)}"
        if self.kind == "string_lte":
            return f"String length must be less than or equal to {self.limit}"
        return f"Does not match pattern '{self.limit}'"


def number_text(x) -> str:
    """A bound as a person writes it: 1 for 1.0, 4294967294 in full."""
    return str(int(x) if isinstance(x, float) and x.is_integer() else x)


_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool,
          "array": list, "object": dict}


def _json_type(value) -> str:
    for name, typ in (("null", type(None)), ("boolean", bool), ("integer", int),
                      ("number", float), ("string", str), ("array", list), ("object", dict)):
        if isinstance(value, typ):
            return name
    return type(value).__name__


def _is(value, type_name) -> bool:
    if type_name in ("integer", "number") and isinstance(value, bool):
        return False
    if type_name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(type_name, object))


def from_form(prop: dict, raw: str):
    """A multipart text field read as its schema's type (Stability's forms
    carry every value as text). Returns the raw text when it does not parse,
    so the type check names it."""
    kind = prop.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def check_value(name: str, prop: dict, value) -> list[Problem]:
    """Problems of one value against its property schema."""
    if value is None and prop.get("nullable"):
        return []
    alternatives = prop.get("anyOf")
    if alternatives:  # OpenAI's "any string, or one of these": the widest applies
        if any(not check_value(name, alt, value) for alt in alternatives):
            return []
        return check_value(name, alternatives[0], value)
    kind = prop.get("type")
    if kind and not _is(value, kind):
        return [Problem("invalid_type", name, value, kind)]
    problems = []
    if "enum" in prop and value not in prop["enum"]:
        problems.append(Problem("enum", name, value, prop["enum"]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in prop and value < prop["minimum"]:
            problems.append(Problem("number_gte", name, value, prop["minimum"]))
        if "maximum" in prop and value > prop["maximum"]:
            problems.append(Problem("number_lte", name, value, prop["maximum"]))
    if isinstance(value, str):
        if "maxLength" in prop and len(value) > prop["maxLength"]:
            problems.append(Problem("string_lte", name, value, prop["maxLength"]))
        if "pattern" in prop and not re.search(prop["pattern"], value):
            problems.append(Problem("pattern", name, value, prop["pattern"]))
    return problems


def check(schema: dict, body: dict, *, additional=False) -> list[Problem]:
    """Problems of a request body against an ``input`` schema: missing
    required fields, unknown fields (unless ``additional``), then each
    value. The empty list means the provider takes the body."""
    props = schema.get("properties", {})
    problems = [Problem("required", name) for name in schema.get("required", ())
                if body.get(name) in (None, "")]
    for name, value in body.items():
        if name not in props:
            if not additional:
                problems.append(Problem("additional_property_not_allowed", name, value))
            continue
        problems += check_value(name, props[name], value)
    return problems


def narrowed(snapshot: dict, model: str | None) -> dict:
    """The input schema with a model's own narrowing (OpenAI ``models``)
    merged over the shared properties."""
    schema = snapshot["input"]
    own = (snapshot.get("models") or {}).get(model or "")
    if not own:
        return schema
    props = dict(schema["properties"])
    for name, changes in own.items():
        base = {k: v for k, v in props.get(name, {}).items() if k != "anyOf"}
        alternatives = props.get(name, {}).get("anyOf")
        if alternatives and "type" not in base:
            base["type"] = alternatives[0].get("type")
        props[name] = {**base, **{k: v for k, v in changes.items() if not k.startswith("x-")}}
    return {**schema, "properties": props}
