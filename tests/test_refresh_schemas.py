"""scripts/refresh_schemas.py reads each provider's published schema and says
what changed. Here it reads the local Replicate server (which serves the
snapshots as each version's OpenAPI Input) and small OpenAPI documents; the
live APIs are a maintainer's run, not CI's."""

import io
import json
import os
import sys

import pytest

from tests.conftest import REPO
from tests.replicate_schemas import INPUTS
from tests.servers import ReplicateServer, snapshots

sys.path.insert(0, os.path.join(REPO, "scripts"))
try:
    import refresh_schemas
finally:
    sys.path.pop(0)


@pytest.fixture
def replicate(monkeypatch):
    with ReplicateServer("r8_refresh", schemas=dict(INPUTS)) as server:
        for snap in snapshots.all_snapshots("replicate").values():
            owner_name, _, version = snap["ref"].partition(":")
            server.add_version(owner_name, version or None)
        monkeypatch.setenv("REPLICATE_BASE_URL", server.url)
        monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_refresh")
        yield server


def test_unchanged_schemas_print_no_changes(replicate):
    out = io.StringIO()
    assert refresh_schemas.refresh("replicate", out=out) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == len(INPUTS) and all(line.endswith(": unchanged") for line in lines)


def test_a_changed_range_and_a_new_input_are_printed(replicate):
    ref = "playgroundai/playground-v2.5-1024px-aesthetic"
    schema = json.loads(json.dumps(INPUTS[ref]))
    schema["properties"]["width"]["minimum"] = 128
    schema["properties"]["lora_scale"] = {"type": "number", "minimum": 0, "maximum": 1}
    replicate.schemas[ref] = schema
    out = io.StringIO()
    assert refresh_schemas.refresh("replicate", out=out) == 1
    text = out.getvalue()
    assert "replicate/playgroundai--playground-v2.5-1024px-aesthetic.json: 2 changes" in text
    assert "~ width.minimum: 256 -> 128" in text
    assert '+ lora_scale: added {"maximum": 1, "minimum": 0, "type": "number"}' in text


def test_references_are_inlined_as_cog_writes_its_choices(tmp_path, monkeypatch):
    """Cog puts an input's choices in a component; OpenAPI documents refer
    to schemas: the snapshot holds them inline."""
    document = {
        "paths": {"/v2beta/3d/stable-fast-3d": {"post": {"requestBody": {"content": {
            "multipart/form-data": {"schema": {"$ref": "#/components/schemas/Req"}}}}}}},
        "components": {"schemas": {
            "Req": {"type": "object", "required": ["image"], "properties": {
                "image": {"type": "string", "format": "binary", "description": "x"},
                "remesh": {"allOf": [{"$ref": "#/components/schemas/remesh"}],
                           "default": "none"}}},
            "remesh": {"type": "string", "enum": ["none", "triangle", "quad"]}}}}
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    monkeypatch.setenv("STABILITY_OPENAPI_URL", path.as_uri())
    fresh, source = refresh_schemas.stability_input("POST /v2beta/3d/stable-fast-3d")
    assert fresh == {"type": "object", "required": ["image"], "properties": {
        "image": {"type": "string", "format": "binary"},
        "remesh": {"type": "string", "enum": ["none", "triangle", "quad"], "default": "none"}}}
    assert source.endswith("(/v2beta/3d/stable-fast-3d requestBody)")
