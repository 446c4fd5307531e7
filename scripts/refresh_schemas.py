"""Refreshes the provider schema snapshots (docs/schemas) from the live APIs
and prints what changed. A maintainer's tool: not run in CI.

    REPLICATE_API_TOKEN=r8_... python scripts/refresh_schemas.py          # print the changes
    REPLICATE_API_TOKEN=r8_... python scripts/refresh_schemas.py --write  # and rewrite the files
    python scripts/refresh_schemas.py --provider openai                   # one provider

Run it before changing a pinned version or a model's options, when a
provider announces a change, and every few months; then run the schema test
(tests/unit/test_provider_schemas.py), fix the catalog where it fails, and
note the changes in docs/providers-research.md.

Where each provider publishes its schema:

- Replicate: the pinned version's OpenAPI (``GET /v1/models/{owner}/{name}/
  versions/{id}``), or an official model's current one (``GET
  /v1/models/{owner}/{name}``, ``latest_version``); needs REPLICATE_API_TOKEN.
- OpenAI: ``CreateImageRequest`` of its published OpenAPI document
  (github.com/openai/openai-openapi); the per-model narrowing kept in the
  snapshot (``models``) is not in that document and stays as it is.
- Stability: the request schema of each endpoint in its OpenAPI document
  (https://api.stability.ai/v2alpha/openapi, as an SDK generated from it
  cites it); the source-image rules (``x-multigen-image``) stay as they are.

``REPLICATE_BASE_URL``, ``OPENAI_OPENAPI_URL`` and ``STABILITY_OPENAPI_URL``
point it elsewhere (a mirror, or the local test servers).
"""

import argparse
import datetime
import json
import os
import sys
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.join(REPO, "docs", "schemas")
OPENAI_SPEC = "https://raw.githubusercontent.com/openai/openai-openapi/main/openapi.json"
STABILITY_SPEC = "https://api.stability.ai/v2alpha/openapi"
# what a snapshot keeps of a property: what decides whether a value is taken
KEPT = ("type", "enum", "minimum", "maximum", "maxLength", "default", "format", "items",
        "anyOf", "nullable", "pattern")


def get_json(url, token=None):
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def resolve(schema, document):
    """A property with its ``$ref`` / ``allOf`` references inlined (cog puts
    an input's choices in a component and refers to it)."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        target = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return resolve({**target, **{k: v for k, v in schema.items() if k != "$ref"}}, document)
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf", ()):
        merged = {**resolve(part, document), **merged}
    return {k: ([resolve(v, document) for v in merged[k]] if k == "anyOf" else
                resolve(merged[k], document) if k == "items" else merged[k])
            for k in merged}


def trimmed(schema, document):
    """An input schema with only what decides whether a value is taken."""
    props = {}
    for name, prop in (schema.get("properties") or {}).items():
        prop = resolve(prop, document)
        props[name] = {k: prop[k] for k in KEPT if k in prop}
        if "anyOf" in props[name]:
            props[name]["anyOf"] = [{k: a[k] for k in KEPT if k in a}
                                    for a in props[name]["anyOf"]]
    out = {"type": "object", "properties": dict(sorted(props.items()))}
    if schema.get("required"):
        out["required"] = sorted(schema["required"])
    return out


# -- fetching, per provider ---------------------------------------------------------


def replicate_input(ref):
    base = os.environ.get("REPLICATE_BASE_URL", "https://api.replicate.com").rstrip("/")
    token = os.environ.get("REPLICATE_API_TOKEN")
    if not token:
        raise SystemExit("set REPLICATE_API_TOKEN to read Replicate's schemas")
    owner_name, _, version = ref.partition(":")
    if version:
        data = get_json(f"{base}/v1/models/{owner_name}/versions/{version}", token)
        source = f"{base}/v1/models/{owner_name}/versions/{version} (openapi_schema Input)"
    else:
        data = get_json(f"{base}/v1/models/{owner_name}", token)["latest_version"]
        source = (f"{base}/v1/models/{owner_name} (latest_version {data.get('id')}, "
                  "openapi_schema Input)")
    document = data["openapi_schema"]
    return trimmed(document["components"]["schemas"]["Input"], document), source


def openai_input(ref):
    url = os.environ.get("OPENAI_OPENAPI_URL", OPENAI_SPEC)
    document = get_json(url)
    schema = dict(document["components"]["schemas"]["CreateImageRequest"])
    return trimmed(schema, document), f"{url} (components.schemas.CreateImageRequest)"


def stability_input(ref):
    url = os.environ.get("STABILITY_OPENAPI_URL", STABILITY_SPEC)
    document = get_json(url, os.environ.get("STABILITY_API_KEY"))
    method, path = ref.split(" ", 1)
    body = document["paths"][path][method.lower()]["requestBody"]["content"]
    return trimmed(resolve(body["multipart/form-data"]["schema"], document), document), (
        f"{url} ({path} requestBody)")


FETCH = {"replicate": replicate_input, "openai": openai_input, "stability": stability_input}


# -- comparing ------------------------------------------------------------------------


def changes(old, new):
    """What changed between two input schemas, one line each."""
    lines = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name in sorted(set(old_props) | set(new_props)):
        if name not in new_props:
            lines.append(f"- {name}: removed")
        elif name not in old_props:
            lines.append(f"+ {name}: added {json.dumps(new_props[name], sort_keys=True)}")
        else:
            for key in sorted(set(old_props[name]) | set(new_props[name])):
                before, after = old_props[name].get(key), new_props[name].get(key)
                if key != "default" and before != after:
                    lines.append(f"~ {name}.{key}: {json.dumps(before)} -> {json.dumps(after)}")
    if sorted(old.get("required", [])) != sorted(new.get("required", [])):
        lines.append(f"~ required: {old.get('required', [])} -> {new.get('required', [])}")
    return lines


def refresh(provider, write=False, out=sys.stdout):
    """Compares (and with ``write`` rewrites) every snapshot of a provider.
    Returns the number of snapshots that changed."""
    folder = os.path.join(ROOT, provider)
    changed = 0
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        path = os.path.join(folder, name)
        with open(path) as f:
            snapshot = json.load(f)
        try:
            fresh, source = FETCH[provider](snapshot["ref"])
        except (OSError, KeyError, ValueError) as e:
            out.write(f"{provider}/{name}: could not read the live schema: {e}\n")
            continue
        lines = changes(snapshot["input"], fresh)
        out.write(f"{provider}/{name}: {'unchanged' if not lines else f'{len(lines)} changes'}\n")
        for line in lines:
            out.write(f"    {line}\n")
        if lines:
            changed += 1
        if write and lines:
            snapshot.update(input=fresh, source=source, confidence="H",
                            retrieved=datetime.date.today().isoformat())
            with open(path, "w") as f:
                json.dump(snapshot, f, indent=2)
                f.write("\n")
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--provider", choices=sorted(FETCH), action="append",
                        help="only this provider (repeatable; default: all)")
    parser.add_argument("--write", action="store_true", help="rewrite the changed snapshots")
    args = parser.parse_args(argv)
    total = sum(refresh(p, args.write) for p in (args.provider or sorted(FETCH)))
    print(f"{total} snapshot(s) changed" + (" and rewritten" if args.write and total else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
